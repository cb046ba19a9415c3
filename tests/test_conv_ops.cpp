// Convolution, pooling, dropout, batch norm, gather and where: gradchecks (strides, same
// padding with odd sizes, several channels, a batch of 3, pooling ties), second-order
// gradients through the backward ops, values against hand-computed or direct references,
// and the error messages.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;
using V = std::vector<Tensor>;

namespace {

Tensor p(const Shape& s, float lo = -1.5f, float hi = 1.7f) { return parameter(mixed(s, lo, hi)); }

// Direct (nested-loop) convolution, the definition the im2col path must agree with.
Array reference_conv(const Array& x, const Array& k, std::array<std::size_t, 2> s, std::array<std::size_t, 2> d,
                     std::size_t pt, std::size_t pl, std::size_t oh, std::size_t ow) {
    const std::size_t n = x.shape()[0], h = x.shape()[1], w = x.shape()[2], c = x.shape()[3];
    const std::size_t kh = k.shape()[0], kw = k.shape()[1], f = k.shape()[3];
    Array y = xt::zeros<float>({n, oh, ow, f});
    for (std::size_t b = 0; b < n; ++b)
        for (std::size_t i = 0; i < oh; ++i)
            for (std::size_t j = 0; j < ow; ++j)
                for (std::size_t q = 0; q < f; ++q) {
                    double acc = 0;
                    for (std::size_t a = 0; a < kh; ++a)
                        for (std::size_t e = 0; e < kw; ++e) {
                            const long r = long(i * s[0] + a * d[0]) - long(pt), col = long(j * s[1] + e * d[1]) - long(pl);
                            if (r < 0 || col < 0 || r >= long(h) || col >= long(w)) continue;
                            for (std::size_t ch = 0; ch < c; ++ch) acc += x(b, r, col, ch) * k(a, e, ch, q);
                        }
                    y(b, i, j, q) = float(acc);
                }
    return y;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(conv_grad)

BOOST_AUTO_TEST_CASE(conv2d_gradients) {
    // valid, stride 1, several channels, a batch of 3
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1]); }, p({3, 5, 4, 2}), p({3, 2, 2, 3}, -0.9f, 0.8f));
    // strides 2 with same padding on odd sizes (padding split 0 before / 1 after on rows)
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1], {.strides = {2, 2}, .padding = Padding::Same}); },
                     p({3, 5, 7, 2}), p({3, 3, 2, 2}, -0.9f, 0.8f));
    // same padding, stride 1, non-square kernel, one input channel
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1], {.padding = Padding::Same}); }, p({2, 5, 5, 1}),
                     p({2, 3, 1, 3}));
    // dilation 2, strides (1, 2)
    XGRAD_CHECK_GRAD(
        [](const V& v) { return conv2d(v[0], v[1], {.strides = {1, 2}, .dilation_rate = {2, 2}}); }, p({2, 6, 7, 2}),
        p({2, 2, 2, 2}));
    // patches of more than 32 elements (3x3x4) take the batch-split products
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1], {.padding = Padding::Same}); }, p({2, 4, 5, 4}),
                     p({3, 3, 4, 2}, -0.6f, 0.6f));
    // with a bias, on both paths (9- and 36-element patches)
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1], v[2]); }, p({2, 4, 5, 1}), p({3, 3, 1, 3}), p({3}));
    XGRAD_CHECK_GRAD([](const V& v) { return conv2d(v[0], v[1], v[2], {.strides = {2, 2}}); }, p({2, 5, 5, 4}),
                     p({3, 3, 4, 2}, -0.6f, 0.6f), p({2}));
}

BOOST_AUTO_TEST_CASE(conv2d_backward_ops_gradients) {
    const Conv2DOptions o{.strides = {2, 1}, .padding = Padding::Same};
    XGRAD_CHECK_GRAD([o](const V& v) { return conv2d_backward_input(v[0], v[1], {3, 5, 4, 2}, o); }, p({3, 3, 4, 3}),
                     p({3, 2, 2, 3}));
    XGRAD_CHECK_GRAD([o](const V& v) { return conv2d_backward_kernel(v[0], v[1], {3, 2, 2, 3}, o); }, p({3, 5, 4, 2}),
                     p({3, 3, 4, 3}));
}

BOOST_AUTO_TEST_CASE(conv2d_second_order) {
    // f(x, K) = Σ (d Σ conv(x,K)³ / dx)²: differentiating it runs the backward ops' derivatives.
    XGRAD_CHECK_GRAD(
        [](const V& v) {
            Tensor y = conv2d(v[0], v[1], {.strides = {2, 2}, .padding = Padding::Same});
            Tensor dx = grad({sum(y * y * y)}, {v[0]}, {.create_graph = true})[0];
            return sum(square(dx));
        },
        p({2, 5, 5, 2}, -0.6f, 0.7f), p({3, 3, 2, 2}, -0.5f, 0.6f));
    XGRAD_CHECK_GRAD(
        [](const V& v) {
            Tensor y = conv2d(v[0], v[1]);
            Tensor dk = grad({sum(y * y * y)}, {v[1]}, {.create_graph = true})[0];
            return sum(square(dk));
        },
        p({2, 4, 4, 2}, -0.6f, 0.7f), p({2, 2, 2, 2}, -0.5f, 0.6f));
}

BOOST_AUTO_TEST_CASE(pooling_gradients) {
    XGRAD_CHECK_GRAD([](const V& v) { return max_pool2d(v[0]); }, p({3, 4, 6, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return max_pool2d(v[0], {.pool_size = {3, 3}, .strides = {2, 2}, .padding = Padding::Same}); },
                     p({3, 5, 7, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return max_pool2d(v[0], {.pool_size = {2, 2}, .strides = {1, 1}}); }, p({2, 4, 3, 3}));
    XGRAD_CHECK_GRAD([](const V& v) { return avg_pool2d(v[0]); }, p({3, 4, 6, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return avg_pool2d(v[0], {.pool_size = {3, 3}, .strides = {2, 2}, .padding = Padding::Same}); },
                     p({3, 5, 7, 2}));
    XGRAD_CHECK_GRAD([](const V& v) { return global_avg_pool2d(v[0]); }, p({3, 3, 5, 2}));
}

BOOST_AUTO_TEST_CASE(max_pool_with_ties) {
    // Pairs of tied maxima: the central difference of a two-way tie is 1/2 on each, which is
    // exactly the even split.
    Array x = mixed({1, 4, 4, 2}, -1, 1);
    x(0, 0, 0, 0) = x(0, 1, 1, 0) = 3.f;   // window (0,0), channel 0
    x(0, 2, 2, 1) = x(0, 2, 3, 1) = 2.5f;  // window (1,1), channel 1
    XGRAD_CHECK_GRAD([](const V& v) { return max_pool2d(v[0]); }, parameter(x));
    // A window of four equal values: each gets a quarter (hand-computed).
    Tensor flat = parameter(Array(Array::shape_type{1, 2, 2, 1}, 1.f));
    sum(max_pool2d(flat) * 8.f).backward();
    BOOST_TEST((flat.grad().value() == Array(Array::shape_type{1, 2, 2, 1}, 2.f)));
}

BOOST_AUTO_TEST_CASE(max_pool_ties_padding_overlap_and_large_windows) {
    // Ties in overlapping, padded windows (3x3, strides 2, same): the tied taps are found from
    // the first maximum's position, which must hold at the image's edges too.
    Array x = mixed({1, 5, 5, 2}, -1, 1);
    x(0, 0, 0, 0) = x(0, 0, 1, 0) = 3.f;   // top-left window, first row
    x(0, 2, 2, 1) = x(0, 3, 3, 1) = 2.5f;  // the centre: shared by four windows
    x(0, 4, 3, 0) = x(0, 4, 4, 0) = 2.f;   // bottom-right corner, next to the padding
    const Pool2DOptions same{.pool_size = {3, 3}, .strides = {2, 2}, .padding = Padding::Same};
    XGRAD_CHECK_GRAD([same](const V& v) { return max_pool2d(v[0], same); }, parameter(x));
    // A 5x5 window has more taps than the tie bits hold: ties are resolved by a second scan.
    Array y = mixed({1, 5, 5, 1}, -1, 1);
    y(0, 1, 3, 0) = y(0, 4, 0, 0) = 4.f;
    XGRAD_CHECK_GRAD([](const V& v) { return max_pool2d(v[0], {.pool_size = {5, 5}}); }, parameter(y));
    Tensor flat = parameter(Array(Array::shape_type{1, 5, 5, 1}, 1.f));
    sum(max_pool2d(flat, {.pool_size = {5, 5}}) * 25.f).backward();
    BOOST_TEST((flat.grad().value() == Array(Array::shape_type{1, 5, 5, 1}, 1.f)));
    // Three-way tie in a 2x2 window: a third each (hand-computed), and the adjoint a
    // second-order pass runs (max_pool2d_select) averages the three tied taps.
    Array z(Array::shape_type{1, 2, 2, 1}, 0.f);
    z(0, 1, 1, 0) = -1.f;
    Tensor t = parameter(z);
    Tensor seed = parameter(Array(Array::shape_type{1, 1, 1, 1}, 3.f));
    Tensor dx = grad({sum(max_pool2d(t) * seed)}, {t}, {.create_graph = true})[0];
    BOOST_TEST(dx.value()(0, 0, 0, 0) == 1.f);
    BOOST_TEST(dx.value()(0, 0, 1, 0) == 1.f);
    BOOST_TEST(dx.value()(0, 1, 1, 0) == 0.f);
    Array uv(Array::shape_type{1, 2, 2, 1});
    uv(0, 0, 0, 0) = 1.f, uv(0, 0, 1, 0) = 2.f, uv(0, 1, 0, 0) = 3.f, uv(0, 1, 1, 0) = 4.f;
    Tensor u = constant(uv);
    Tensor dseed = grad({sum(dx * u)}, {seed})[0];
    BOOST_TEST(dseed.value()(0, 0, 0, 0) == 2.f, boost::test_tools::tolerance(1e-6f));  // (1 + 2 + 3) / 3
}

BOOST_AUTO_TEST_CASE(pooling_second_order) {
    XGRAD_CHECK_GRAD(
        [](const V& v) {
            Tensor dx = grad({sum(square(max_pool2d(v[0])))}, {v[0]}, {.create_graph = true})[0];
            return sum(square(dx) * v[0]);
        },
        p({2, 4, 4, 2}));
    XGRAD_CHECK_GRAD(
        [](const V& v) {
            Tensor dx = grad({sum(square(avg_pool2d(v[0], {.strides = {1, 1}})))}, {v[0]}, {.create_graph = true})[0];
            return sum(square(dx));
        },
        p({2, 4, 3, 2}));
}

BOOST_AUTO_TEST_CASE(nn_ops_gradients) {
    XGRAD_CHECK_GRAD([](const V& v) { manual_seed(7); return dropout(v[0], 0.4f, true); }, p({3, 4, 5}));
    auto training = [](const V& v) {
        Tensor mm = zeros({3});
        Tensor mv = ones({3});
        return batch_norm(v[0], v[1], v[2], mm, mv, true);
    };
    XGRAD_CHECK_GRAD(training, p({3, 2, 2, 3}), p({3}, 0.5f, 1.5f), p({3}));
    auto inference = [](const V& v) {
        Tensor mm = constant(Array{0.1f, -0.2f});
        Tensor mv = constant(Array{0.5f, 2.f});
        return batch_norm(v[0], v[1], v[2], mm, mv, false);
    };
    XGRAD_CHECK_GRAD(inference, p({4, 2}), p({2}), p({2}));
    Tensor ids = constant(Array{{2, 0}, {2, 1}, {0, 0}});
    XGRAD_CHECK_GRAD([ids](const V& v) { return gather(v[0], ids); }, p({3, 4}));
    XGRAD_CHECK_GRAD([ids](const V& v) { return embedding_lookup(v[0], ids); }, p({4, 2}));
    XGRAD_CHECK_GRAD([ids](const V& v) { return gather_backward(v[0], ids, 4); }, p({3, 2, 5}));
    Tensor cond = constant(Array{{1, 0, 1}, {0, 0, 1}});
    XGRAD_CHECK_GRAD([cond](const V& v) { return where(cond, v[0], v[1]); }, p({2, 3}), p({2, 3}));
    XGRAD_CHECK_GRAD([cond](const V& v) { return where(cond, v[0], v[1]); }, p({3}), p({2, 1}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(conv_values)

BOOST_AUTO_TEST_CASE(conv2d_matches_the_direct_definition) {
    Array x = mixed({3, 6, 7, 2}, -1, 1), k = mixed({3, 2, 2, 4}, -1, 1);
    auto check = [&](Conv2DOptions o, std::size_t pt, std::size_t pl, std::size_t oh, std::size_t ow) {
        Array y = conv2d(constant(x), constant(k), o).value();
        BOOST_TEST((y.shape() == Array::shape_type{3, oh, ow, 4}));
        BOOST_TEST(xt::allclose(y, reference_conv(x, k, o.strides, o.dilation_rate, pt, pl, oh, ow), 1e-5, 1e-5));
    };
    check({}, 0, 0, 4, 6);
    // same, stride 2 on 6x7: out 3x4; rows need (3-1)*2+3 = 7 -> pad 1 (0 before), cols (4-1)*2+2 = 8 -> 1 (0 before)
    check({.strides = {2, 2}, .padding = Padding::Same}, 0, 0, 3, 4);
    // same, stride 1: rows pad 2 (1 before), cols pad 1 (0 before)
    check({.padding = Padding::Same}, 1, 0, 6, 7);
    check({.strides = {2, 1}, .dilation_rate = {2, 3}}, 0, 0, 1, 4);
}

BOOST_AUTO_TEST_CASE(first_layer_shapes_match_the_direct_definition) {
    // A one-channel image with many output positions: the forward product has 9 columns and
    // the kernel gradient 9 rows over 1568 positions, both below OpenBLAS's useful range (the
    // small-product kernels). 20 filters: one full vector of 16 lanes and a scalar tail.
    Array x = mixed({2, 30, 30, 1}, -1, 1), k = mixed({3, 3, 1, 20}, -1, 1), g = mixed({2, 28, 28, 20}, -1, 1);
    Array y = conv2d(constant(x), constant(k)).value();
    BOOST_TEST(xt::allclose(y, reference_conv(x, k, {1, 1}, {1, 1}, 0, 0, 28, 28), 1e-5, 1e-5));
    // dK[a, e, 0, q] = Σ over positions of x(b, i + a, j + e) · g(b, i, j, q)
    Array dk = conv2d_backward_kernel(constant(x), constant(g), {3, 3, 1, 20}).value();
    Array want = xt::zeros<float>({3, 3, 1, 20});
    for (std::size_t a = 0; a < 3; ++a)
        for (std::size_t e = 0; e < 3; ++e)
            for (std::size_t q = 0; q < 20; ++q) {
                double acc = 0;
                for (std::size_t b = 0; b < 2; ++b)
                    for (std::size_t i = 0; i < 28; ++i)
                        for (std::size_t j = 0; j < 28; ++j) acc += x(b, i + a, j + e, 0) * g(b, i, j, q);
                want(a, e, 0, q) = float(acc);
            }
    BOOST_TEST(xt::allclose(dk, want, 1e-4, 1e-4));
    // The same on one thread: the kernel gradient's blocks are summed in a fixed order.
    const int threads = num_threads();
    set_num_threads(1);
    Array dk1 = conv2d_backward_kernel(constant(x), constant(g), {3, 3, 1, 20}).value();
    set_num_threads(threads);
    BOOST_TEST((dk1 == dk));
}

BOOST_AUTO_TEST_CASE(batch_split_products_match_the_direct_definition) {
    // 3x3x4 patches over 40x40 images: 52k floats of patches an image, so each image is a
    // chunk of its own; ten chunks make eight groups for the kernel gradient, two of them
    // accumulating two chunks. Forward, kernel gradient and input gradient against nested
    // loops, for stride 1 valid and stride 2 same; the kernel gradient is the same bits on one
    // thread.
    const std::size_t batch = 10;
    Array x = mixed({batch, 40, 40, 4}, -1, 1), k = mixed({3, 3, 4, 5}, -1, 1);
    for (const bool strided : {false, true}) {
        const Conv2DOptions o = strided ? Conv2DOptions{.strides = {2, 2}, .padding = Padding::Same} : Conv2DOptions{};
        const std::size_t out = strided ? 20 : 38, pad = 0, s = strided ? 2 : 1;
        Array y = conv2d(constant(x), constant(k), o).value();
        BOOST_TEST(xt::allclose(y, reference_conv(x, k, o.strides, {1, 1}, pad, pad, out, out), 1e-4, 1e-4));
        Array g = mixed({batch, out, out, 5}, -1, 1);
        Array dk_want = xt::zeros<float>({3, 3, 4, 5}), dx_want = xt::zeros<float>({batch, std::size_t(40), std::size_t(40), std::size_t(4)});
        for (std::size_t b = 0; b < batch; ++b)
            for (std::size_t i = 0; i < out; ++i)
                for (std::size_t j = 0; j < out; ++j)
                    for (std::size_t a = 0; a < 3; ++a)
                        for (std::size_t e = 0; e < 3; ++e) {
                            const std::size_t r = i * s + a, c = j * s + e;
                            if (r >= 40 || c >= 40) continue;  // same padding falls after the image here
                            for (std::size_t ch = 0; ch < 4; ++ch)
                                for (std::size_t q = 0; q < 5; ++q) {
                                    dk_want(a, e, ch, q) += x(b, r, c, ch) * g(b, i, j, q);
                                    dx_want(b, r, c, ch) += g(b, i, j, q) * k(a, e, ch, q);
                                }
                        }
        Array dk = conv2d_backward_kernel(constant(x), constant(g), {3, 3, 4, 5}, o).value();
        Array dx = conv2d_backward_input(constant(g), constant(k), {batch, 40, 40, 4}, o).value();
        BOOST_TEST(xt::allclose(dk, dk_want, 1e-3, 1e-3));
        BOOST_TEST(xt::allclose(dx, dx_want, 1e-4, 1e-4));
        const int threads = num_threads();
        set_num_threads(1);
        Array dk1 = conv2d_backward_kernel(constant(x), constant(g), {3, 3, 4, 5}, o).value();
        set_num_threads(threads);
        BOOST_TEST((dk1 == dk));
    }
}

BOOST_AUTO_TEST_CASE(conv2d_with_bias_is_conv2d_plus_bias) {
    for (const std::size_t c : {1, 4}) {  // the small-patch and the batch-split paths
        Array x = mixed({3, 9, 8, c}, -1, 1), k = mixed({3, 3, c, 17}, -1, 1), b = mixed({17}, -1, 1);
        Array fused = conv2d(constant(x), constant(k), constant(b)).value();
        Array apart = (conv2d(constant(x), constant(k)) + constant(b)).value();
        BOOST_TEST(xt::allclose(fused, apart, 1e-6, 1e-6));
    }
}

BOOST_AUTO_TEST_CASE(conv2d_hand_computed) {
    // One 3x3 image, a 2x2 kernel of ones: each output is the sum of a 2x2 block.
    Tensor x = constant(Array{1, 2, 3, 4, 5, 6, 7, 8, 9});
    Tensor y = conv2d(reshape(x, Shape{1, 3, 3, 1}), constant(Array(Array::shape_type{2, 2, 1, 1}, 1.f)));
    BOOST_TEST((reshape(y, Shape{4}).value() == Array{12, 16, 24, 28}));
    BOOST_TEST(y.rule().find("dK = im2col(x)ᵀ · dY") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pooling_values) {
    Tensor x = reshape(constant(Array{1, 5, 2, 0, 3, 4, 7, 8, 9}), Shape{1, 3, 3, 1});
    BOOST_TEST((reshape(max_pool2d(x), Shape{1}).value() == Array{5}));
    // same padding on 3x3 with 2x2 windows: one padding row/column after; border windows
    // average only the pixels inside the image ({1,5,0,3}, {2,4}, {7,8}, {9}).
    Tensor avg = avg_pool2d(x, {.padding = Padding::Same});
    BOOST_TEST((reshape(avg, Shape{4}).value() == Array{2.25f, 3, 7.5f, 9}));
    Tensor mx = max_pool2d(x, {.pool_size = {2, 2}, .strides = {1, 1}});
    BOOST_TEST((reshape(mx, Shape{4}).value() == Array{5, 5, 8, 9}));
    BOOST_TEST(max_pool2d(x).rule().find("the max takes the gradient") != std::string::npos);
    BOOST_TEST(global_avg_pool2d(x).shape_vector() == (Shape{1, 1}));
    BOOST_TEST(std::abs(global_avg_pool2d(x).value()(0, 0) - 39.f / 9) < 1e-6);
}

BOOST_AUTO_TEST_CASE(dropout_values) {
    Tensor x = constant(Array(Array::shape_type{100, 100}, 1.f));
    BOOST_TEST(dropout(x, 0.5f, false).id() == x.id());
    manual_seed(3);
    Array y = dropout(x, 0.25f, true).value();
    const auto kept = std::count_if(y.begin(), y.end(), [](float v) { return v != 0.f; });
    BOOST_TEST(std::abs(double(kept) / 10000 - 0.75) < 0.02);
    BOOST_TEST(*std::max_element(y.begin(), y.end()) == 1.f / 0.75f);
    manual_seed(3);
    BOOST_TEST((dropout(x, 0.25f, true).value() == y));  // the seeded generator reproduces the mask
}

BOOST_AUTO_TEST_CASE(batch_norm_values) {
    // Channel 0: 1, 3 (mean 2, var 1); channel 1: 2, 2 (mean 2, var 0).
    Tensor x = constant(Array{{1, 2}, {3, 2}});
    Tensor gamma = constant(Array{2, 1}), beta = constant(Array{0.5f, -1});
    Tensor mm = zeros({2}), mv = ones({2});
    Array y = batch_norm(x, gamma, beta, mm, mv, true).value();
    const float s = 1.f / std::sqrt(1.f + 1e-3f);
    BOOST_TEST(xt::allclose(y, Array{{-2 * s + 0.5f, -1}, {2 * s + 0.5f, -1}}));
    BOOST_TEST(xt::allclose(mm.value(), Array{0.02f, 0.02f}));  // 0.99·0 + 0.01·2
    BOOST_TEST(xt::allclose(mv.value(), Array{0.99f + 0.01f, 0.99f}));
    Array inference = batch_norm(x, gamma, beta, mm, mv, false).value();
    BOOST_TEST(xt::allclose(inference(0, 0), 2 * (1 - 0.02f) / std::sqrt(1.f + 1e-3f) + 0.5f));
    BOOST_TEST(xt::allclose(mm.value(), Array{0.02f, 0.02f}));  // inference leaves them alone
}

BOOST_AUTO_TEST_CASE(gather_and_where_values) {
    Tensor table = parameter(Array{{0, 1}, {10, 11}, {20, 21}});
    Tensor ids = constant(Array{2, 0, 2});
    Tensor rows = embedding_lookup(table, ids);
    BOOST_TEST((rows.value() == Array{{20, 21}, {0, 1}, {20, 21}}));
    sum(rows).backward();
    BOOST_TEST((table.grad().value() == Array{{1, 1}, {0, 0}, {2, 2}}));  // scatter-add counts repeats
    Tensor w = where(constant(Array{1, 0, 1}), constant(Array{1, 2, 3}), scalar(-1));
    BOOST_TEST((w.value() == Array{1, -1, 3}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(conv_errors)

BOOST_AUTO_TEST_CASE(conv2d_bias_errors) {
    Tensor x = constant(Array(Array::shape_type{2, 5, 5, 3}, 1.f));
    Tensor k = constant(Array(Array::shape_type{3, 3, 3, 4}, 1.f));
    BOOST_CHECK_EXCEPTION(conv2d(x, k, constant(Array(Array::shape_type{5}, 0.f))), ShapeError,
                          has_message("conv2d: bias (5) must be (4), one value per filter of the kernel (3x3x3x4)"));
    BOOST_CHECK_EXCEPTION(conv2d(x, k, Tensor()), ValueError, has_message("conv2d: undefined bias tensor"));
}

BOOST_AUTO_TEST_CASE(conv2d_errors_name_the_op_and_shapes) {
    Tensor x = constant(Array(Array::shape_type{64, 28, 28, 3}, 0.f));
    Tensor k = constant(Array(Array::shape_type{3, 3, 1, 32}, 0.f));
    BOOST_CHECK_EXCEPTION(conv2d(x, k), ShapeError,
                          has_message{"conv2d: input (64x28x28x3) has 3 channels but the kernel (3x3x1x32) expects 1"});
    BOOST_CHECK_EXCEPTION(conv2d(constant(Array(Array::shape_type{28, 28}, 0.f)), k), ShapeError,
                          has_message{"conv2d: input (28x28) must be 4-D (batch, height, width, channels)"});
    BOOST_CHECK_EXCEPTION(conv2d(x, constant(Array(Array::shape_type{3, 3, 3}, 0.f))), ShapeError,
                          has_message{"conv2d: kernel (3x3x3) must be 4-D"});
    Tensor small = constant(Array(Array::shape_type{1, 2, 5, 1}, 0.f));
    BOOST_CHECK_EXCEPTION(conv2d(small, constant(Array(Array::shape_type{3, 3, 1, 2}, 0.f))), ShapeError,
                          has_message{"conv2d: the window (3x3) does not fit in the 2x5 images of input (1x2x5x1) with 'valid' padding"});
    BOOST_CHECK_EXCEPTION(conv2d(small, constant(Array(Array::shape_type{1, 1, 1, 2}, 0.f)), {.strides = {0, 1}}),
                          ValueError, has_message{"conv2d: strides must be positive, got (0, 1)"});
    BOOST_CHECK_EXCEPTION(padding_from_string("full"), ValueError, has_message{"unknown padding 'full'; valid names: valid, same"});
    BOOST_CHECK_EXCEPTION(conv2d_backward_input(constant(Array(Array::shape_type{1, 2, 2, 2}, 0.f)),
                                                constant(Array(Array::shape_type{1, 1, 1, 2}, 0.f)), {1, 3, 3, 1}),
                          ShapeError, has_message{"conv2d_backward_input: gradient (1x2x2x2) does not match the output (1x3x3x2)"});
}

BOOST_AUTO_TEST_CASE(pooling_and_nn_op_errors) {
    Tensor x = constant(Array(Array::shape_type{2, 3, 3, 4}, 0.f));
    BOOST_CHECK_EXCEPTION(max_pool2d(constant(Array(Array::shape_type{3, 3}, 0.f))), ShapeError,
                          has_message{"max_pool2d: input (3x3) must be 4-D (batch, height, width, channels)"});
    BOOST_CHECK_EXCEPTION(avg_pool2d(x, {.pool_size = {4, 4}}), ShapeError,
                          has_message{"avg_pool2d: the window (4x4) does not fit in the 3x3 images of input (2x3x3x4)"});
    BOOST_CHECK_EXCEPTION(global_avg_pool2d(constant(Array{1, 2})), ShapeError, has_message{"global_avg_pool2d: input (2) must be 4-D"});
    BOOST_CHECK_EXCEPTION(dropout(x, 1.f, true), ValueError, has_message{"dropout: rate must be in [0, 1), got 1.0"});
    Tensor mm = zeros({3}), mv = ones({3});
    BOOST_CHECK_EXCEPTION(batch_norm(x, ones({3}), zeros({3}), mm, mv, true), ShapeError,
                          has_message{"batch_norm: input (2x3x3x4) has 4 channels but (3) is not (4)"});
    BOOST_CHECK_EXCEPTION(gather(constant(Array{{1, 2}, {3, 4}}), constant(Array{0, 2})), ValueError,
                          has_message{"gather: index 2.000000 at position 1 of indices (2) is not a row of (2x2) (0..2)"});
    BOOST_CHECK_EXCEPTION(gather(constant(Array{{1, 2}, {3, 4}}), constant(Array{0.5f})), ValueError,
                          has_message{"gather: index 0.500000"});
    BOOST_CHECK_EXCEPTION(embedding_lookup(constant(Array{1, 2}), constant(Array{0})), ShapeError,
                          has_message{"embedding_lookup: table (2) must be 2-D (vocabulary, dimension)"});
    BOOST_CHECK_EXCEPTION(where(constant(Array{1, 0}), constant(Array{1, 2, 3}), scalar(0)), ShapeError,
                          has_message{"where"});
}

BOOST_AUTO_TEST_SUITE_END()
