// Activations and (log-)softmax. Softmax works row by row over contiguous memory: a single
// xtensor expression with broadcast column vectors was orders of magnitude slower.
#include "xgrad/ops/activation.hpp"

#include <cmath>
#include <numeric>
#include <xtensor/xmath.hpp>

#include "ops/common.hpp"
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
    for (std::size_t i = 0, n = v.size(); i < n; ++i) out[i] = px[i] > 0.f ? pg[i] : 0.f;
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
    for (std::size_t i = 0, n = v.size(); i < n; ++i) out[i] = in[i] > 0.f ? in[i] : 0.f;
    return record({"relu", "d relu(a)/da = [a > 0]"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {relu_backward(c.grad, c.inputs[0])};
                  });
}

Tensor sigmoid(const Tensor& a) {
    Array v = 1.f / (1.f + xt::exp(-a.value()));
    return record({"sigmoid", "d σ(a)/da = σ(a)·(1-σ(a))"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.grad * c.output * (1.f - c.output)};
                  });
}

Tensor tanh(const Tensor& a) {
    Array v = xt::tanh(a.value());
    return record({"tanh", "d tanh(a)/da = 1 - tanh(a)²"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.grad * (1.f - c.output * c.output)};
                  });
}

namespace {

// Runs `row_op(in, out, n)` on every contiguous row of the last axis.
template <class F>
Array rowwise(const Array& x, F row_op) {
    Array out(x.shape());
    const std::size_t n = x.dimension() ? x.shape().back() : 1;
    const std::size_t rows = n ? x.size() / n : 0;
    for (std::size_t r = 0; r < rows; ++r) row_op(x.data() + r * n, out.data() + r * n, n);
    return out;
}

void softmax_row(const float* in, float* out, std::size_t n) {
    float m = in[0];
    for (std::size_t i = 1; i < n; ++i) m = std::max(m, in[i]);
    float s = 0.f;
    for (std::size_t i = 0; i < n; ++i) s += (out[i] = std::exp(in[i] - m));
    const float inv = 1.f / s;
    for (std::size_t i = 0; i < n; ++i) out[i] *= inv;
}

void log_softmax_row(const float* in, float* out, std::size_t n) {
    float m = in[0];
    for (std::size_t i = 1; i < n; ++i) m = std::max(m, in[i]);
    float s = 0.f;
    for (std::size_t i = 0; i < n; ++i) s += std::exp(in[i] - m);
    // (in - m) - log(s), not in - (m + log s): keeps precision when m is large.
    const float log_s = std::log(s);
    for (std::size_t i = 0; i < n; ++i) out[i] = (in[i] - m) - log_s;
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

Tensor softmax(const Tensor& a, std::ptrdiff_t axis) {
    return along_axis("softmax", a, axis, [](const Tensor& x) {
        return record({"softmax", "d softmax/da = s·(g - Σ g·s)"}, {x}, rowwise(x.value(), softmax_row),
                      [](const BackwardContext& c) -> std::vector<Tensor> {
                          const Tensor& s = c.output;
                          return {s * (c.grad - sum(c.grad * s, {-1}, true))};
                      });
    });
}

Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis) {
    return along_axis("log_softmax", a, axis, [](const Tensor& x) {
        return record({"log_softmax", "d log_softmax/da = g - softmax(a)·Σ g"}, {x}, rowwise(x.value(), log_softmax_row),
                      [](const BackwardContext& c) -> std::vector<Tensor> {
                          return {c.grad - exp(c.output) * sum(c.grad, {-1}, true)};
                      });
    });
}

}  // namespace xgrad
