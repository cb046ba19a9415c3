// Reductions: sum, mean, max over all elements or chosen axes, and argmax.
#include "xgrad/ops/reduce.hpp"

#include <limits>
#include <xtensor/xmath.hpp>
#include <xtensor/xsort.hpp>

#include "ops/common.hpp"
#include "ops/kernels.hpp"

namespace xgrad {

using detail::axes_str;
using detail::normalize_axes;
using detail::shape_of;

namespace {

// The input's shape with the reduced axes set to 1: the gradient is reshaped to it and
// then broadcast back.
Shape kept_shape(const Tensor& a, const std::vector<std::size_t>& axes) {
    Shape s = shape_of(a);
    for (auto ax : axes) s[ax] = 1;
    return s;
}

Shape result_shape(const Tensor& a, const std::vector<std::size_t>& axes, bool keepdims) {
    if (keepdims) return kept_shape(a, axes);
    Shape s;
    for (std::size_t i = 0; i < a.ndim(); ++i) {
        if (std::find(axes.begin(), axes.end(), i) == axes.end()) s.push_back(a.shape()[i]);
    }
    return s;
}

std::size_t count(const Tensor& a, const std::vector<std::size_t>& axes) {
    std::size_t n = 1;
    for (auto ax : axes) n *= a.shape()[ax];
    return n;
}

// g, reshaped to keep the reduced axes, broadcast to the input's shape.
Tensor spread(const Tensor& g, const Tensor& a, const std::vector<std::size_t>& axes) {
    return broadcast_to(reshape(g, kept_shape(a, axes)), shape_of(a));
}

}  // namespace

Tensor sum(const Tensor& a) { return sum(a, {}, false); }

Tensor sum(const Tensor& a, const std::vector<std::ptrdiff_t>& axes_in, bool keepdims) {
    auto axes = normalize_axes("sum", axes_in, a);
    Array v = detail::reduce_axes(a.value(), axes, 0.f, std::plus<float>());
    v.reshape(result_shape(a, axes, keepdims));
    return record({"sum", "d sum(a)/da = 1 (g broadcast back)", {{"axes", axes_str(axes)}}}, {a}, std::move(v),
                  [axes](const BackwardContext& c) -> std::vector<Tensor> {
                      return {spread(c.grad, c.inputs[0], axes)};
                  });
}

Tensor mean(const Tensor& a) { return mean(a, {}, false); }

Tensor mean(const Tensor& a, const std::vector<std::ptrdiff_t>& axes_in, bool keepdims) {
    auto axes = normalize_axes("mean", axes_in, a);
    const std::size_t n = count(a, axes);
    if (n == 0) throw ShapeError("mean: no elements to average in " + describe(a) + " over axes " + axes_str(axes));
    Array v = detail::reduce_axes(a.value(), axes, 0.f, std::plus<float>());
    v /= static_cast<float>(n);
    v.reshape(result_shape(a, axes, keepdims));
    return record({"mean", "d mean(a)/da = 1/n (g broadcast back)", {{"axes", axes_str(axes)}}}, {a}, std::move(v),
                  [axes, n](const BackwardContext& c) -> std::vector<Tensor> {
                      return {spread(c.grad, c.inputs[0], axes) / static_cast<float>(n)};
                  });
}

Tensor max(const Tensor& a) { return max(a, {}, false); }

Tensor max(const Tensor& a, const std::vector<std::ptrdiff_t>& axes_in, bool keepdims) {
    auto axes = normalize_axes("max", axes_in, a);
    if (count(a, axes) == 0) throw ShapeError("max: no elements in " + describe(a) + " over axes " + axes_str(axes));
    Array v = detail::reduce_axes(a.value(), axes, -std::numeric_limits<float>::infinity(),
                                  [](float x, float y) { return std::max(x, y); });
    v.reshape(result_shape(a, axes, keepdims));
    return record({"max", "d max(a)/da = [a is the max] / (number of ties)", {{"axes", axes_str(axes)}}}, {a},
                  std::move(v), [axes](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor& a = c.inputs[0];
                      Array kept = c.output.value();
                      kept.reshape(kept_shape(a, axes));
                      Array hit = xt::where(xt::equal(a.value(), kept), 1.f, 0.f);
                      Array ties = detail::reduce_axes(hit, axes, 0.f, std::plus<float>());
                      Array share = hit / ties;
                      return {spread(c.grad, a, axes) * constant(std::move(share))};
                  });
}

Tensor argmax(const Tensor& a, std::ptrdiff_t axis_in) {
    const std::size_t axis = detail::normalize_axis("argmax", axis_in, a.ndim(), a);
    if (a.shape()[axis] == 0) throw ShapeError("argmax: axis " + std::to_string(axis) + " of " + describe(a) + " is empty");
    Array v = xt::cast<float>(xt::argmax(a.value(), axis));
    return constant(std::move(v));
}

}  // namespace xgrad
