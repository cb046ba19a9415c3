// In-place primitives: values, broadcasting, the leaf/NoGradGuard rule and its errors, recorded
// twins, threads on large tensors, map_/map2_ formulas, and gradchecks of addcmul/addcdiv.
#include <cmath>

#include "helpers.hpp"
#include <xgrad/ops/map.hpp>  // not in xgrad.hpp (see its comment)

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;
using V = std::vector<Tensor>;

BOOST_AUTO_TEST_SUITE(inplace)

BOOST_AUTO_TEST_CASE(values_of_each_primitive) {
    NoGradGuard no_grad;
    Tensor t = constant(Array{1.f, 4.f, 9.f});
    const Tensor x = constant(Array{2.f, -1.f, 0.5f});
    t.add_(x, 2.f);  // 5, 2, 10
    BOOST_TEST(t.value() == Array({5.f, 2.f, 10.f}));
    t.add_(1.f).sub_(x);  // 4, 4, 10.5
    BOOST_TEST(t.value() == Array({4.f, 4.f, 10.5f}));
    t.sub_(x, 0.5f).mul_(2.f);  // 6, 9, 20.5
    BOOST_TEST(t.value() == Array({6.f, 9.f, 20.5f}));
    t.mul_(x).div_(2.f);  // 6, -4.5, 5.125
    BOOST_TEST(t.value() == Array({6.f, -4.5f, 5.125f}));
    t.div_(x);  // 3, 4.5, 10.25
    BOOST_TEST(t.value() == Array({3.f, 4.5f, 10.25f}));
    t.addcmul_(x, x, 0.5f);  // + 2, 0.5, 0.125
    BOOST_TEST(t.value() == Array({5.f, 5.f, 10.375f}));
    t.addcdiv_(x, x, -1.f).maximum_(constant(Array{4.5f, 4.5f, 4.5f}));  // 4, 4, 9.375 -> max
    BOOST_TEST(t.value() == Array({4.5f, 4.5f, 9.375f}));
    t.fill_(16.f).sqrt_();
    BOOST_TEST(t.value() == Array({4.f, 4.f, 4.f}));
    t.copy_(x);
    BOOST_TEST(t.value() == x.value());
    t.zero_();
    BOOST_TEST(t.value() == Array({0.f, 0.f, 0.f}));
}

BOOST_AUTO_TEST_CASE(operands_broadcast_to_the_updated_tensor) {
    NoGradGuard no_grad;
    Tensor w = constant(Array{{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}}, "w");
    w.add_(constant(Array{10.f, 20.f, 30.f}));  // a row
    BOOST_TEST(w.value() == Array({{11.f, 22.f, 33.f}, {14.f, 25.f, 36.f}}));
    w.mul_(constant(xgrad::test::column({1.f, -1.f})));  // a column
    BOOST_TEST(w.value() == Array({{11.f, 22.f, 33.f}, {-14.f, -25.f, -36.f}}));
    w.addcmul_(scalar(2.f), constant(Array{1.f, 0.f, 0.f}));  // scalar and row operands
    BOOST_TEST(w.value() == Array({{13.f, 22.f, 33.f}, {-12.f, -25.f, -36.f}}));
    // The updated tensor keeps its shape: an operand that would grow it is an error.
    Tensor row = constant(Array{1.f, 2.f, 3.f}, "row");
    BOOST_CHECK_EXCEPTION(row.add_(w), ShapeError,
                          has_message("add_: operand (2x3 'w') does not broadcast to (3 'row'), the tensor updated in "
                                      "place (the result would be (2x3))"));
    BOOST_CHECK_EXCEPTION(w.addcdiv_(row, constant(Array{1.f, 2.f})), ShapeError,
                          has_message("addcdiv_: (2x3 'w') , (2): shapes do not broadcast"));
}

BOOST_AUTO_TEST_CASE(leaves_only_and_only_under_no_grad) {
    Tensor w = parameter(Array{1.f, 2.f}, "w");
    BOOST_CHECK_EXCEPTION(w.add_(scalar(1.f)), GraphError,
                          has_message("add_: in-place update of (2 'w') while gradient recording is on; run it under "
                                      "NoGradGuard"));
    Tensor c = constant(Array{1.f, 2.f}, "c");
    BOOST_CHECK_EXCEPTION(c.mul_(2.f), GraphError, has_message("mul_: in-place update of (2 'c')"));
    BOOST_CHECK_EXCEPTION(c.zero_(), GraphError, has_message("zero_: in-place update"));
    Tensor h = tanh(w);
    NoGradGuard no_grad;
    BOOST_CHECK_EXCEPTION(h.sqrt_(), GraphError,
                          has_message("sqrt_: (2 'tanh') was produced by 'tanh' and its graph may still read its "
                                      "value; in-place ops change leaves only"));
    BOOST_CHECK_EXCEPTION(Tensor().add_(1.f), GraphError, has_message("add_: undefined tensor"));
    BOOST_CHECK_EXCEPTION(w.add_(Tensor()), GraphError, has_message("add_: undefined operand for (2 'w')"));
    w.add_(scalar(1.f));  // a parameter under NoGradGuard: the optimizers' case
    BOOST_TEST(w.value() == Array({2.f, 3.f}));
    BOOST_TEST(w.requires_grad());
    BOOST_TEST(w.is_leaf());
}

BOOST_AUTO_TEST_CASE(other_handles_see_the_update) {
    // In place means in place: every handle to the leaf sees the new value.
    Tensor w = parameter(Array{1.f, 2.f}, "w");
    Tensor alias = w;
    NoGradGuard no_grad;
    alias.mul_(3.f);
    BOOST_TEST(w.value() == Array({3.f, 6.f}));
    BOOST_TEST(alias.id() == w.id());
}

BOOST_AUTO_TEST_CASE(addcmul_with_beta_is_mul_then_addcmul_in_one_pass) {
    // The moving average of RMSprop and Adam: the same bits as the two passes it replaces, and
    // the same recorded value.
    const Array v0 = mixed({4, 9}, 0.f, 2.f), g0 = mixed({4, 9}, -1.f, 1.f);
    Tensor one = constant(v0), two = constant(v0), g = constant(g0);
    {
        NoGradGuard no_grad;
        one.addcmul_(g, g, 0.1f, 0.9f);
        two.mul_(0.9f).addcmul_(g, g, 0.1f);
    }
    BOOST_TEST((one.value() == two.value()));
    BOOST_TEST(one.value()(0, 0) != v0(0, 0));
    Tensor rv = parameter(v0, "v");
    {
        RecordInPlaceGuard record;
        rv.addcmul_(g, g, 0.1f, 0.9f);
    }
    BOOST_TEST(xt::allclose(rv.value(), one.value(), 1e-7, 1e-7));
    BOOST_TEST(rv.requires_grad());
}

BOOST_AUTO_TEST_CASE(recorded_twins_give_the_same_bits) {
    const Array v0 = mixed({5, 7}, 0.f, 2.f), g0 = mixed({5, 7}, -1.f, 1.f), w0 = mixed({5, 7}, -0.5f, 0.5f);
    auto chain = [](Tensor& v, Tensor& w, const Tensor& g) {
        v.mul_(0.9f).addcmul_(g, g, 0.1f);
        w.addcdiv_(g, sqrt(v).add_(1e-7f), -1e-3f).sub_(g, 0.25f).maximum_(scalar(-0.2f));
    };
    Tensor v = constant(v0), w = constant(w0), g = constant(g0);
    {
        NoGradGuard no_grad;
        chain(v, w, g);
    }
    Tensor rv = parameter(v0, "v"), rw = parameter(w0, "w"), rg = parameter(g0, "g");
    const auto v_id = rv.id();
    {
        RecordInPlaceGuard record;
        chain(rv, rw, rg);
    }
    BOOST_TEST(rv.id() != v_id);  // the handle moved to a recorded node
    BOOST_TEST(rw.op() == "maximum");
    BOOST_TEST(!rw.is_leaf());
    BOOST_TEST((rv.value() == v.value()));
    BOOST_TEST((rw.value() == w.value()));
    // The recorded update is differentiable: d w'/d g through addcdiv, sqrt, addcmul.
    sum(rw).backward();
    BOOST_TEST(rg.grad().defined());
    BOOST_TEST(rv.inputs()[0].op() == "mul");
}

BOOST_AUTO_TEST_CASE(large_tensors_use_threads_with_the_same_result) {
    // Past the parallel grain the kernels split between threads: ranges must cover every
    // element exactly once, whatever the thread count.
    const std::size_t n = 300001;
    Array a = mixed({n}, -2.f, 2.f), b = mixed({n}, 0.5f, 1.5f);
    Array expected(a.shape());
    for (std::size_t i = 0; i < n; ++i) expected(i) = a(i) + 0.3f * a(i) / b(i);
    const int before = num_threads();
    for (int threads : {1, 2}) {
        set_num_threads(threads);
        NoGradGuard no_grad;
        Tensor t = constant(a);
        t.addcdiv_(constant(a), constant(b), 0.3f);
        BOOST_TEST((t.value() == expected), threads << " thread(s)");
    }
    set_num_threads(before);
}

BOOST_AUTO_TEST_CASE(map_formulas_give_the_bits_of_the_eager_chain) {
    // One pass over batches (and a padded batch for the tail) against one primitive per op:
    // sizes with and without a tail, and past the parallel grain on one and two threads.
    const float lr = 1e-3f, eps = 1e-7f;
    const int before = num_threads();
    for (const std::size_t n : {3ul, 16ul, 17ul, 75001ul}) {
        const Array w0 = mixed({n}, -0.5f, 0.5f), g0 = mixed({n}, -1.f, 1.f), v0 = mixed({n}, 0.f, 2.f);
        for (const int threads : {1, 2}) {
            set_num_threads(threads);
            NoGradGuard no_grad;
            Tensor w = constant(w0), fused = constant(w0), g = constant(g0), v = constant(v0);
            w.addcdiv_(g, sqrt(v).add_(eps), -lr);
            map2_(fused, g, v, [=](auto w, auto g, auto v) { return addcdiv(w, g, sqrt(v) + eps, -lr); });
            Tensor t = constant(v0), one = constant(v0);
            t.mul_(0.5f).sub_(g / (g + 2.f));
            map_(one, g, [](auto t, auto g) { return t * 0.5f - g / (g + 2.f); });
            BOOST_TEST_CONTEXT(n << " elements, " << threads << " thread(s)") {
                BOOST_TEST((fused.value() == w.value()));
                BOOST_TEST((one.value() == t.value()));
                BOOST_TEST(fused.value()(n - 1) != w0(n - 1));  // the tail was written
            }
        }
    }
    set_num_threads(before);
}

BOOST_AUTO_TEST_CASE(recorded_map_is_the_formula_on_tensors) {
    const Array w0 = mixed({4, 3}, -0.5f, 0.5f), g0 = mixed({4, 3}, -1.f, 1.f), v0 = mixed({4, 3}, 0.5f, 2.f);
    auto step = [](Tensor& w, const Tensor& g, const Tensor& v) -> Tensor& {
        return map2_(w, g, v, [](auto w, auto g, auto v) { return addcdiv(w, g, sqrt(v) + 0.1f, -0.5f); });
    };
    Tensor w = constant(w0), g = constant(g0), v = constant(v0);
    {
        NoGradGuard no_grad;
        step(w, g, v);
    }
    Tensor rw = parameter(w0, "w"), rg = parameter(g0, "g"), rv = parameter(v0, "v");
    {
        RecordInPlaceGuard record;
        Tensor& out = step(rw, rg, rv);
        BOOST_TEST(&out == &rw);
    }
    BOOST_TEST(rw.op() == "addcdiv");  // the handle moved to the formula's result
    BOOST_TEST(rw.inputs()[2].op() == "add");
    BOOST_TEST(rw.inputs()[2].inputs()[0].op() == "sqrt");
    BOOST_TEST((rw.value() == w.value()));
    sum(rw).backward();
    BOOST_TEST(rv.grad().defined());  // differentiable through sqrt
}

BOOST_AUTO_TEST_CASE(map_with_several_targets_gives_the_bits_of_the_eager_chain) {
    // RMSprop's whole step in one pass: v is updated and the new v read in the same element.
    const float rho = 0.9f, lr = 1e-3f, eps = 1e-7f;
    auto rmsprop = [=](auto v, auto w, auto g) {
        const auto v1 = addcmul(v * rho, g, g, 1.f - rho);
        return std::tuple{v1, addcdiv(w, g, sqrt(v1) + eps, -lr)};
    };
    const int before = num_threads();
    for (const std::size_t n : {5ul, 32ul, 75003ul}) {
        const Array w0 = mixed({n}, -0.5f, 0.5f), g0 = mixed({n}, -1.f, 1.f), v0 = mixed({n}, 0.f, 2.f);
        for (const int threads : {1, 2}) {
            set_num_threads(threads);
            NoGradGuard no_grad;
            Tensor w = constant(w0), v = constant(v0), g = constant(g0);
            v.addcmul_(g, g, 1.f - rho, rho);
            w.addcdiv_(g, sqrt(v).add_(eps), -lr);
            Tensor w1 = constant(w0), v1 = constant(v0);
            map_(std::tie(v1, w1), std::tie(g), rmsprop);
            BOOST_TEST_CONTEXT(n << " elements, " << threads << " thread(s)") {
                BOOST_TEST((v1.value() == v.value()));
                BOOST_TEST((w1.value() == w.value()));
            }
        }
    }
    set_num_threads(before);
    // Recorded: each target's handle moves to its own result.
    Tensor rv = parameter(mixed({3, 2}, 0.f, 2.f), "v"), rw = parameter(mixed({3, 2}, -1.f, 1.f), "w");
    const Tensor rg = parameter(mixed({3, 2}, -1.f, 1.f), "g");
    {
        RecordInPlaceGuard record;
        map_(std::tie(rv, rw), std::tie(rg), rmsprop);
    }
    BOOST_TEST(rv.op() == "addcmul");
    BOOST_TEST(rw.op() == "addcdiv");
    BOOST_TEST(rw.inputs()[2].inputs()[0].inputs()[0].id() == rv.id());  // √ of the new v
}

BOOST_AUTO_TEST_CASE(map_errors_name_the_op_and_the_shapes) {
    Tensor w = parameter(Array::from_shape({2, 3}), "w");
    const Tensor v = constant(Array::from_shape({3, 2}), "v"), g = constant(Array::from_shape({2, 3}), "g");
    auto id = [](auto w, auto, auto) { return w; };
    BOOST_CHECK_EXCEPTION(map2_(w, g, g, id), GraphError,
                          has_message("map2_: in-place update of (2x3 'w') while gradient recording is on"));
    Tensor h = tanh(w);
    NoGradGuard no_grad;
    BOOST_CHECK_EXCEPTION(map2_(w, g, v, id), ShapeError,
                          has_message("map2_: operand (3x2 'v') does not have the shape of (2x3 'w'), the tensor "
                                      "updated in place (map_ does not broadcast)"));
    BOOST_CHECK_EXCEPTION(map_(w, Tensor(), [](auto w, auto) { return w; }), GraphError,
                          has_message("map_: undefined operand for (2x3 'w')"));
    BOOST_CHECK_EXCEPTION(map_(h, g, [](auto h, auto) { return h; }), GraphError,
                          has_message("map_: (2x3 'tanh') was produced by 'tanh'"));
    auto pair = [](auto a, auto b, auto) { return std::tuple{a, b}; };
    Tensor u = constant(Array::from_shape({3, 2}), "u");
    BOOST_CHECK_EXCEPTION(map_(std::tie(w, u), std::tie(g), pair), ShapeError,
                          has_message("map_: operand (2x3 'g') does not have the shape of (3x2 'u')"));
    Tensor x = constant(Array::from_shape({2, 3}), "x");
    BOOST_CHECK_EXCEPTION(map_(std::tie(w, x), std::tie(v), pair), ShapeError,
                          has_message("map_: operand (3x2 'v') does not have the shape of (2x3 'w')"));
    Tensor alias = w;
    BOOST_CHECK_EXCEPTION(map_(std::tie(w, alias), std::tie(g), pair), ValueError,
                          has_message("map_: (2x3 'w') is a target twice"));
}

BOOST_AUTO_TEST_CASE(addcmul_addcdiv_gradients) {
    auto p = [](const Shape& s, float lo, float hi) { return parameter(mixed(s, lo, hi)); };
    XGRAD_CHECK_GRAD([](const V& v) { return addcmul(v[0], v[1], v[2], -0.7f); }, p({3, 4}, -1, 1), p({3, 4}, -2, 1),
                     p({3, 4}, -1, 2));
    XGRAD_CHECK_GRAD([](const V& v) { return addcdiv(v[0], v[1], v[2], 1.3f); }, p({3, 4}, -1, 1), p({3, 4}, -2, 1),
                     p({3, 4}, 0.5f, 2));
    // Broadcasting: t (4), a (3,1), b (3,4).
    XGRAD_CHECK_GRAD([](const V& v) { return addcmul(v[0], v[1], v[2], 0.5f); }, p({4}, -1, 1), p({3, 1}, -2, 1),
                     p({3, 4}, -1, 2));
    XGRAD_CHECK_GRAD([](const V& v) { return addcdiv(v[0], v[1], v[2], -0.5f); }, p({3, 4}, -1, 1), p({4}, -2, 1),
                     p({3, 1}, 0.5f, 2));
    // Second order: the backward of each is written with differentiable ops.
    XGRAD_CHECK_GRAD(
        [](const V& v) {
            Tensor y = addcdiv(v[0], v[1], v[2], 0.8f);
            return grad({sum(y * y)}, {v[2]}, {.create_graph = true})[0];
        },
        p({2, 3}, -1, 1), p({2, 3}, -2, 1), p({2, 3}, 0.5f, 2));
    BOOST_CHECK_EXCEPTION(addcmul(parameter(Array{1.f, 2.f}), constant(Array{1.f, 2.f, 3.f}), scalar(1.f)), ShapeError,
                          has_message("addcmul: (2) , (3): shapes do not broadcast"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(inplace_engine)

BOOST_AUTO_TEST_CASE(accumulation_reuses_only_private_buffers) {
    // The engine adds a tensor's gradient contributions into one buffer when nobody else can
    // see it; a gradient the user holds, or one an op passed through to two inputs, is never
    // written.
    Tensor w = parameter(Array{1.f, 2.f}, "w");
    sum(w * 2.f).backward();
    const Tensor held = w.grad();
    sum(w * 3.f).backward();
    BOOST_TEST(held.value() == Array({2.f, 2.f}));
    BOOST_TEST(w.grad().value() == Array({5.f, 5.f}));
    Tensor a = parameter(Array{1.f, -1.f});
    Tensor y = a + a;  // add's backward hands one gradient to both inputs
    Tensor z = tanh(a) + y * 0.5f + a;
    Tensor seed = constant(Array{1.f, 10.f});
    z.backward(seed);
    const float t = std::tanh(1.f);
    BOOST_TEST(a.grad().value()(0) == 1.f - t * t + 1.f + 1.f, boost::test_tools::tolerance(1e-6f));
    BOOST_TEST(a.grad().value()(1) == 10.f * (1.f - t * t + 1.f + 1.f), boost::test_tools::tolerance(1e-6f));
    BOOST_TEST(seed.value() == Array({1.f, 10.f}));
    // With create_graph the sums are recorded, not written in place.
    Tensor b = parameter(Array{0.5f});
    Tensor gb = grad({sum(b * b + b * b * b)}, {b}, {.create_graph = true})[0];
    BOOST_TEST(!gb.is_leaf());
    BOOST_TEST(gb.value()(0) == 2.f * 0.5f + 3.f * 0.25f, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_SUITE_END()
