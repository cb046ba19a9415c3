// Every op's gradient against central finite differences, including broadcasting cases.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::mixed;
using xgrad::test::ramp;
using V = std::vector<Tensor>;

namespace {
Tensor p(const Shape& s, float lo = -1.5f, float hi = 1.7f) { return parameter(mixed(s, lo, hi)); }
Tensor positive(const Shape& s) { return parameter(mixed(s, 0.5f, 2.5f)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(ops_grad)

BOOST_AUTO_TEST_CASE(binary_same_shape) {
    XGRAD_CHECK_GRAD([](const V& v) { return add(v[0], v[1]); }, p({3, 4}), p({3, 4}, -2, 1));
    XGRAD_CHECK_GRAD([](const V& v) { return sub(v[0], v[1]); }, p({3, 4}), p({3, 4}, -2, 1));
    XGRAD_CHECK_GRAD([](const V& v) { return mul(v[0], v[1]); }, p({3, 4}), p({3, 4}, -2, 1));
    XGRAD_CHECK_GRAD([](const V& v) { return div(v[0], v[1]); }, p({3, 4}), positive({3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return pow(v[0], v[1]); }, positive({3, 4}), p({3, 4}, -1, 2));
    XGRAD_CHECK_GRAD([](const V& v) { return maximum(v[0], v[1]); }, p({3, 4}), p({3, 4}, -1.3f, 1.1f));
    XGRAD_CHECK_GRAD([](const V& v) { return minimum(v[0], v[1]); }, p({3, 4}), p({3, 4}, -1.3f, 1.1f));
}

BOOST_AUTO_TEST_CASE(binary_broadcasting) {
    // (3,4)+(4), (3,1)*(1,4), (2,3,4)/(3,1) and friends: gradients are summed back to each shape.
    XGRAD_CHECK_GRAD([](const V& v) { return add(v[0], v[1]); }, p({3, 4}), p({4}));
    XGRAD_CHECK_GRAD([](const V& v) { return mul(v[0], v[1]); }, p({3, 1}), p({1, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return div(v[0], v[1]); }, p({2, 3, 4}), positive({3, 1}));
    XGRAD_CHECK_GRAD([](const V& v) { return sub(v[0], v[1]); }, p({4}), p({2, 3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return pow(v[0], v[1]); }, positive({2, 3}), p({3}, 0.5f, 2));
    XGRAD_CHECK_GRAD([](const V& v) { return maximum(v[0], v[1]); }, p({2, 3}), p({1}, 0.05f, 0.05f));
    XGRAD_CHECK_GRAD([](const V& v) { return minimum(v[0], v[1]); }, p({2, 1}), p({1, 3}, -1.2f, 1.3f));
    XGRAD_CHECK_GRAD([](const V& v) { return v[0] * 2.5f + 1.0f / v[1] - 3.0f; }, p({3, 2}), positive({2}));
}

BOOST_AUTO_TEST_CASE(unary) {
    XGRAD_CHECK_GRAD([](const V& v) { return neg(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return exp(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return log(v[0]); }, positive({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return sqrt(v[0]); }, positive({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return square(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return abs(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return pow(v[0], 3.0f); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return clip(v[0], -0.75f, 0.9f); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return relu(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return sigmoid(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return tanh(v[0]); }, p({2, 3}));
}

BOOST_AUTO_TEST_CASE(fused_backward_ops) {
    // tanh_backward(g, y) = g·(1 − y²) and sigmoid_backward(g, y) = g·y·(1 − y), first order in
    // both inputs (with broadcasting), and second order: the gradient of tanh's gradient.
    XGRAD_CHECK_GRAD([](const V& v) { return tanh_backward(v[0], v[1]); }, p({3, 4}), p({3, 4}, -0.9f, 0.9f));
    XGRAD_CHECK_GRAD([](const V& v) { return sigmoid_backward(v[0], v[1]); }, p({3, 4}), p({3, 4}, 0.1f, 0.9f));
    XGRAD_CHECK_GRAD([](const V& v) { return tanh_backward(v[0], v[1]); }, p({3, 4}), p({4}, -0.9f, 0.9f));
    XGRAD_CHECK_GRAD([](const V& v) { return sigmoid_backward(v[0], v[1]); }, p({2, 1}), p({2, 3}, 0.1f, 0.9f));
    XGRAD_CHECK_GRAD(
        [](const V& v) { return grad({sum(tanh(v[0]) * v[1])}, {v[0]}, {.create_graph = true})[0]; }, p({2, 3}),
        p({2, 3}, -1, 1));
    XGRAD_CHECK_GRAD(
        [](const V& v) { return grad({sum(sigmoid(v[0]) * v[1])}, {v[0]}, {.create_graph = true})[0]; }, p({2, 3}),
        p({2, 3}, -1, 1));
    XGRAD_CHECK_GRAD([](const V& v) { return softmax_backward(v[0], v[1]); }, p({3, 4}), p({3, 4}, 0.05f, 0.6f));
    XGRAD_CHECK_GRAD(
        [](const V& v) { return grad({sum(softmax(v[0]) * v[1])}, {v[0]}, {.create_graph = true})[0]; }, p({2, 3}),
        p({2, 3}, -1, 1));
    // The forward rules use them: one node per backward step, not three.
    Tensor x = parameter(Array{0.5f, -0.25f});
    Tensor gx = grad({sum(tanh(x))}, {x}, {.create_graph = true})[0];
    BOOST_TEST(gx.op() == "tanh_backward");
    BOOST_TEST(gx.value()(0) == 1.f - std::tanh(0.5f) * std::tanh(0.5f), boost::test_tools::tolerance(1e-6f));
    BOOST_CHECK_EXCEPTION(tanh_backward(x, parameter(Array{1.f, 2.f, 3.f})), ShapeError,
                          xgrad::test::has_message{"tanh_backward: (2) , (3): shapes do not broadcast"});
}

BOOST_AUTO_TEST_CASE(softmax_family) {
    XGRAD_CHECK_GRAD([](const V& v) { return softmax(v[0]); }, p({3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return softmax(v[0], 0); }, p({3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return log_softmax(v[0]); }, p({3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return log_softmax(v[0], 1); }, p({2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(linalg) {
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1]); }, p({3, 4}), p({4, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1], {true, false}); }, p({4, 3}), p({4, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1], {false, true}); }, p({3, 4}), p({2, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1], {true, true}); }, p({4, 3}), p({2, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1]); }, p({4}), p({4, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1]); }, p({3, 4}), p({4}));
    XGRAD_CHECK_GRAD([](const V& v) { return matmul(v[0], v[1]); }, p({4}), p({4}));
    XGRAD_CHECK_GRAD([](const V& v) { return transpose(v[0]); }, p({3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return transpose(v[0], {1, 2, 0}); }, p({2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(shape_ops) {
    XGRAD_CHECK_GRAD([](const V& v) { return reshape(v[0], {4, -1}); }, p({2, 3, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return flatten(v[0], 1); }, p({2, 3, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return broadcast_to(v[0], {2, 3, 4}); }, p({3, 1}));
    XGRAD_CHECK_GRAD([](const V& v) { return sum_to(v[0], {3, 1}); }, p({2, 3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return slice_rows(v[0], 1, 3); }, p({4, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return slice(v[0], -1, 1, 2); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return pad(v[0], 0, 1, 2); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return concat({v[0], v[1], v[0]}, 1); }, p({2, 3}), p({2, 1}));
}

BOOST_AUTO_TEST_CASE(reductions) {
    XGRAD_CHECK_GRAD([](const V& v) { return sum(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return sum(v[0], {0}); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return sum(v[0], {-1, 0}, true); }, p({2, 3, 4}));
    XGRAD_CHECK_GRAD([](const V& v) { return mean(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return mean(v[0], {1}, true); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return max(v[0]); }, p({2, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return max(v[0], {1}); }, p({2, 3, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return max(v[0], {0, 2}, true); }, p({2, 3, 2}));
}

BOOST_AUTO_TEST_CASE(composite_network) {
    // A small two-layer network with softmax cross-entropy: every op meets the others.
    Tensor x = constant(mixed({5, 4}, -1, 1));
    Tensor y = constant(Array{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}});
    XGRAD_CHECK_GRAD(
        [&](const V& v) {
            Tensor h = relu(matmul(x, v[0]) + v[1]);
            Tensor logits = matmul(h, v[2]) + v[3];
            return neg(mean(sum(y * log_softmax(logits), {1})));
        },
        p({4, 6}, -0.8f, 0.9f), p({6}, 0.05f, 0.3f), p({6, 3}), p({3}));
}

BOOST_AUTO_TEST_CASE(gradcheck_detects_a_wrong_gradient) {
    // A custom op whose backward is deliberately off by a factor 2: gradcheck must fail.
    auto wrong = [](const V& v) {
        const Tensor& a = v[0];
        Array value = a.value() * a.value();
        return record({"bad_square", "wrong on purpose"}, {a}, value,
                      [](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad * c.inputs[0]}; });
    };
    auto r = gradcheck(wrong, {p({2, 2})});
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.report.find("FAILED") != std::string::npos);
    BOOST_TEST(std::abs(r.analytic * 2 - r.numeric) < 1e-2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ops_values)

BOOST_AUTO_TEST_CASE(matmul_paths_match_the_definition_on_any_thread_count) {
    // The paths of detail::pool_gemm, each with all four transpose flags on 1-3 threads against
    // double-precision loops, and the same bits on every thread count:
    // - one OpenBLAS block of rows (tall C) or columns (wide C) per thread, cut at multiples of
    //   16, each above 1 M multiply-adds: 1000 rows of 70x40 are 512 + 488 rows on two threads
    //   and, since 328 rows would be too few, on three as well;
    // - an inner dimension up to 16: the xsimd loops, in 64-, 32- and 16-column blocks and a
    //   scalar tail (700 = 10·64 + 32 + 16 + 12), two rows at a time and an odd one (301);
    // - 20x70x1500 below that: one OpenBLAS call (two blocks would use its small-matrix kernels);
    // - Aᵀ·B with at most 32 columns of A and k >= 64 of them: the outer-product loops.
    struct Case {
        std::size_t m, n, k;
    };
    const int before = num_threads();
    for (const Case& s : {Case{70, 1000, 40}, Case{1000, 70, 40}, Case{301, 700, 10}, Case{20, 70, 1500}}) {
        for (const bool ta : {false, true})
            for (const bool tb : {false, true}) {
                Array a = mixed(ta ? Shape{s.k, s.m} : Shape{s.m, s.k}, -1, 1), b = mixed(tb ? Shape{s.n, s.k} : Shape{s.k, s.n}, -1, 1);
                Array want = xt::zeros<float>({s.m, s.n});
                for (std::size_t i = 0; i < s.m; ++i)
                    for (std::size_t j = 0; j < s.n; ++j) {
                        double acc = 0;
                        for (std::size_t q = 0; q < s.k; ++q) acc += double(ta ? a(q, i) : a(i, q)) * double(tb ? b(j, q) : b(q, j));
                        want(i, j) = float(acc);
                    }
                Array first;
                for (const int threads : {1, 2, 3}) {
                    set_num_threads(threads);
                    const Array got = matmul(constant(a), constant(b), {ta, tb}).value();
                    BOOST_TEST_CONTEXT(s.m << "x" << s.n << "x" << s.k << " ta " << ta << " tb " << tb << " threads " << threads) {
                        BOOST_TEST(xt::allclose(got, want, 1e-5, 1e-4));
                        if (threads == 1) first = got;
                        else BOOST_TEST((got == first));
                    }
                }
            }
    }
    set_num_threads(before);
}

BOOST_AUTO_TEST_CASE(forward_values) {
    Tensor a = constant(Array{{1, 2, 3}, {4, 5, 6}});
    Tensor b = constant(Array{10, 20, 30});
    BOOST_TEST((add(a, b).value() == Array{{11, 22, 33}, {14, 25, 36}}));
    BOOST_TEST((sum(a, {0}).value() == Array{5, 7, 9}));
    BOOST_TEST((sum(a, {1}, true).value() == test::column({6, 15})));
    BOOST_TEST(mean(a).item() == 3.5f);
    BOOST_TEST((max(a, {1}).value() == Array{3, 6}));
    BOOST_TEST((argmax(a, 1).value() == Array{2, 2}));
    BOOST_TEST((matmul(a, transpose(a)).value() == Array{{14, 32}, {32, 77}}));
    BOOST_TEST((matmul(a, a, {false, true}).value() == Array{{14, 32}, {32, 77}}));
    BOOST_TEST((matmul(constant(Array{1, 2}), a).value() == Array{9, 12, 15}));
    BOOST_TEST((reshape(a, {3, -1}).value() == Array{{1, 2}, {3, 4}, {5, 6}}));
    BOOST_TEST((slice_rows(a, 1, 2).value() == Array{{4, 5, 6}}));
    BOOST_TEST((concat({a, a}, 0).shape_vector() == Shape{4, 3}));
    BOOST_TEST((pad(constant(Array{1, 2}), 0, 1, 1).value() == Array{0, 1, 2, 0}));
    BOOST_TEST((clip(a, 2, 5).value() == Array{{2, 2, 3}, {4, 5, 5}}));
    BOOST_TEST((relu(a - 3.f).value() == Array{{0, 0, 0}, {1, 2, 3}}));
}

BOOST_AUTO_TEST_CASE(softmax_is_stable_and_normalised) {
    Tensor z = constant(Array{{1000, 1001, 1002}, {-1000, -1000, -1000}});
    Array s = softmax(z).value();
    Array rows = xt::sum(s, {1});
    BOOST_TEST(std::abs(rows(0) - 1.f) < 1e-6);
    BOOST_TEST(std::abs(s(1, 0) - 1.f / 3) < 1e-6);
    Array ls = log_softmax(z).value();
    BOOST_TEST(std::isfinite(ls(0, 0)));
    BOOST_TEST(std::abs(ls(0, 2) - std::log(s(0, 2))) < 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()
