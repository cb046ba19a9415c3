// Activations and (log-)softmax. Softmax works row by row over contiguous memory: a single
// xtensor expression with broadcast column vectors was orders of magnitude slower.
#include "xgrad/ops/activation.hpp"

#include <cmath>
#include <numeric>
#include <vector>
#include <xtensor/xmath.hpp>

#include "ops/common.hpp"
#include "ops/map.hpp"
#include "xgrad/ops/linalg.hpp"
#include "xgrad/ops/reduce.hpp"

namespace xgrad {

namespace {
// g where x > 0, else 0, in one pass. Its own gradient is the same mask applied to the
// incoming gradient (and nothing flows to x: the mask is piecewise constant).
Tensor relu_backward(const Tensor& g, const Tensor& x) {
    Array v(g.shape());
    const float* pg = g.value().data();
    const float* px = x.value().data();
    float* out = v.data();
    detail::parallel_for(v.size(), [=](std::size_t b, std::size_t e) {
        const float *g = pg, *x = px;
        float* __restrict o = out;
        for (std::size_t i = b; i < e; ++i) o[i] = x[i] > 0.f ? g[i] : 0.f;
    });
    return record({"relu_backward", "d relu_backward(g, x)/dg = [x > 0]"}, {g, x}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.needs[0] ? relu_backward(c.grad, c.inputs[1]) : Tensor(), Tensor()};
                  });
}
}  // namespace

Tensor relu(const Tensor& a) {
    Array v(a.shape());
    const float* in = a.value().data();
    float* out = v.data();
    // `<= 0` rather than `> 0`: a NaN input stays NaN instead of vanishing.
    detail::parallel_for(v.size(), [=](std::size_t b, std::size_t e) {
        const float* x = in;
        float* __restrict o = out;
        for (std::size_t i = b; i < e; ++i) o[i] = x[i] <= 0.f ? 0.f : x[i];
    });
    return record({"relu", "d relu(a)/da = [a > 0]"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {relu_backward(c.grad, c.inputs[0])};
                  });
}

Tensor sigmoid(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return 1.f / (1.f + xsimd::exp(-x)); });
    return record({"sigmoid", "d σ(a)/da = σ(a)·(1-σ(a))"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {sigmoid_backward(c.grad, c.output)};
                  });
}

Tensor tanh(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return xsimd::tanh(x); });
    return record({"tanh", "d tanh(a)/da = 1 - tanh(a)²"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {tanh_backward(c.grad, c.output)};
                  });
}

// The fused backward ops: one pass where the composed form (g * (1 - y*y)) takes three passes
// and three temporaries. Their own backward is written with public ops, so create_graph works.
Tensor tanh_backward(const Tensor& g, const Tensor& y) {
    broadcast_shapes("tanh_backward", g, y);
    Array v = detail::map_binary(g.value(), y.value(), [](float gi, float yi) { return gi * (1.f - yi * yi); });
    return record({"tanh_backward", "d[g·(1-y²)]/dg = 1-y², /dy = -2·g·y"}, {g, y}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &g = c.inputs[0], &y = c.inputs[1];
                      return {c.needs[0] ? detail::grad_for(c, 0, tanh_backward(c.grad, y)) : Tensor(),
                              c.needs[1] ? detail::grad_for(c, 1, c.grad * g * y * -2.f) : Tensor()};
                  });
}

Tensor sigmoid_backward(const Tensor& g, const Tensor& y) {
    broadcast_shapes("sigmoid_backward", g, y);
    Array v = detail::map_binary(g.value(), y.value(), [](float gi, float yi) { return gi * yi * (1.f - yi); });
    return record({"sigmoid_backward", "d[g·y·(1-y)]/dg = y·(1-y), /dy = g·(1-2y)"}, {g, y}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &g = c.inputs[0], &y = c.inputs[1];
                      return {c.needs[0] ? detail::grad_for(c, 0, sigmoid_backward(c.grad, y)) : Tensor(),
                              c.needs[1] ? detail::grad_for(c, 1, c.grad * g * (1.f - 2.f * y)) : Tensor()};
                  });
}

namespace {

// Runs `block_op(r0, r1, n)` over the contiguous rows (of n floats) of the last axis, in
// blocks of rows split between threads when the array is large.
template <class F>
void each_row_block(const Array::shape_type& shape, std::size_t size, F block_op) {
    const std::size_t n = shape.empty() ? 1 : shape.back();
    const std::size_t rows = n ? size / n : 0;
    if (rows < 2) return block_op(std::size_t{0}, rows, n);
    detail::parallel_for(size, [&](std::size_t b, std::size_t e) { block_op(b / n, e == size ? rows : e / n, n); });
}

// Runs `row_op(offset, n)` on every contiguous row of the last axis.
template <class F>
void each_row(const Array::shape_type& shape, std::size_t size, F row_op) {
    each_row_block(shape, size, [&](std::size_t r0, std::size_t r1, std::size_t n) {
        for (std::size_t r = r0; r < r1; ++r) row_op(r * n, n);
    });
}

// rows_op(in, out, rows, n) over blocks of rows, into a new array.
template <class F>
Array rowwise(const Array& x, F rows_op) {
    Array out(x.shape());
    each_row_block(x.shape(), x.size(), [&](std::size_t r0, std::size_t r1, std::size_t n) {
        rows_op(x.data() + r0 * n, out.data() + r0 * n, r1 - r0, n);
    });
    return out;
}

// Sum of a row in 16 independent lanes (vectorisable).
float row_sum(const float* p, std::size_t n) {
    constexpr std::size_t lanes = 16;
    float part[lanes] = {};
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        for (std::size_t k = 0; k < lanes; ++k) part[k] += p[i + k];
    }
    float s = 0.f;
    for (std::size_t k = 0; k < lanes; ++k) s += part[k];
    for (; i < n; ++i) s += p[i];
    return s;
}

// Largest element of a row, in 16 lanes (a single running max is one dependent chain).
float row_max(const float* p, std::size_t n) {
    constexpr std::size_t lanes = 16;
    float m = p[0];
    std::size_t i = 0;
    if (n >= 2 * lanes) {
        float part[lanes];
        for (std::size_t k = 0; k < lanes; ++k) part[k] = p[k];
        for (i = lanes; i + lanes <= n; i += lanes) {
            for (std::size_t k = 0; k < lanes; ++k) part[k] = part[k] < p[i + k] ? p[i + k] : part[k];
        }
        for (std::size_t k = 0; k < lanes; ++k) m = std::max(m, part[k]);
    }
    for (; i < n; ++i) m = std::max(m, p[i]);
    return m;
}

// out = e^(in - max of its row) for `rows` rows of n: the shifts row by row, then one
// vectorised exp over the whole block, so that rows shorter than a SIMD register (a
// classifier's 10 classes) fill it too. The row maxima go to `maxes` when given.
void exp_shifted_rows(const float* in, float* out, std::size_t rows, std::size_t n, float* maxes = nullptr) {
    for (std::size_t r = 0; r < rows; ++r) {
        const float* x = in + r * n;
        const float m = row_max(x, n);
        if (maxes) maxes[r] = m;
        float* o = out + r * n;
        for (std::size_t i = 0; i < n; ++i) o[i] = x[i] - m;
    }
    detail::simd_unary(out, out, rows * n, [](auto x) { return xsimd::exp(x); });
}

void softmax_rows(const float* in, float* out, std::size_t rows, std::size_t n) {
    exp_shifted_rows(in, out, rows, n);
    for (std::size_t r = 0; r < rows; ++r) {
        float* o = out + r * n;
        const float inv = 1.f / row_sum(o, n);
        for (std::size_t i = 0; i < n; ++i) o[i] *= inv;
    }
}

void log_softmax_rows(const float* in, float* out, std::size_t rows, std::size_t n) {
    std::vector<float> maxes(rows);
    exp_shifted_rows(in, out, rows, n, maxes.data());
    for (std::size_t r = 0; r < rows; ++r) {
        const float* x = in + r * n;
        float* o = out + r * n;
        const float m = maxes[r];
        // (in - m) - log(s), not in - (m + log s): keeps precision when m is large.
        const float log_s = std::log(row_sum(o, n));
        for (std::size_t i = 0; i < n; ++i) o[i] = (x[i] - m) - log_s;
    }
}

// Moves `axis` last, applies `f`, and moves it back: keeps the kernels row-wise.
template <class F>
Tensor along_axis(const char* op, const Tensor& a, std::ptrdiff_t axis_in, F f) {
    if (a.ndim() == 0) throw ShapeError(std::string(op) + ": needs at least one axis, got a scalar " + describe(a));
    const std::size_t axis = detail::normalize_axis(op, axis_in, a.ndim(), a);
    if (a.shape()[axis] == 0) throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) + " of " + describe(a) + " is empty");
    if (axis == a.ndim() - 1) return f(a);
    std::vector<std::size_t> perm(a.ndim());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::swap(perm[axis], perm.back());
    return transpose(f(transpose(a, perm)), perm);
}

}  // namespace

Tensor softmax_backward(const Tensor& g, const Tensor& s) {
    if (g.shape() != s.shape() || s.ndim() == 0) {
        throw ShapeError("softmax_backward: gradient " + describe(g) + " and softmax " + describe(s) +
                         " need one shape with at least one axis");
    }
    Array v(s.shape());
    const float *pg = g.value().data(), *ps = s.value().data();
    float* po = v.data();
    each_row(s.shape(), s.size(), [&](std::size_t off, std::size_t n) {
        const float *gr = pg + off, *sr = ps + off;
        float* o = po + off;
        for (std::size_t i = 0; i < n; ++i) o[i] = gr[i] * sr[i];
        const float dot = row_sum(o, n);
        for (std::size_t i = 0; i < n; ++i) o[i] = sr[i] * (gr[i] - dot);
    });
    return record({"softmax_backward", "d[s·(g − Σg·s)]/dg = softmax Jacobian, /ds = u·(g − Σg·s) − g·Σu·s"}, {g, s},
                  std::move(v), [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &g = c.inputs[0], &s = c.inputs[1], &u = c.grad;
                      // The Jacobian diag(s) − s·sᵀ is symmetric: the gradient for g is the same op on u.
                      return {c.needs[0] ? softmax_backward(u, s) : Tensor(),
                              c.needs[1] ? u * (g - sum(g * s, {-1}, true)) - g * sum(u * s, {-1}, true) : Tensor()};
                  });
}

Tensor softmax(const Tensor& a, std::ptrdiff_t axis) {
    return along_axis("softmax", a, axis, [](const Tensor& x) {
        return record({"softmax", "d softmax/da = s·(g - Σ g·s)"}, {x}, rowwise(x.value(), softmax_rows),
                      [](const BackwardContext& c) -> std::vector<Tensor> {
                          return {softmax_backward(c.grad, c.output)};
                      });
    });
}

Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis) {
    return along_axis("log_softmax", a, axis, [](const Tensor& x) {
        return record({"log_softmax", "d log_softmax/da = g - softmax(a)·Σ g"}, {x}, rowwise(x.value(), log_softmax_rows),
                      [](const BackwardContext& c) -> std::vector<Tensor> {
                          return {c.grad - exp(c.output) * sum(c.grad, {-1}, true)};
                      });
    });
}

}  // namespace xgrad
