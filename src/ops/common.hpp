#pragma once
// Helpers shared by the op definitions (private to src/).

#include <string>
#include <vector>

#include "xgrad/format.hpp"
#include "xgrad/graph.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/shape.hpp"

namespace xgrad::detail {

/// The axis `axis` (possibly negative) of a rank-`ndim` tensor; ShapeError names the op.
std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, std::size_t ndim, const Tensor& t);

/// Sorted, unique, non-negative axes; all axes when `axes` is empty.
std::vector<std::size_t> normalize_axes(const char* op, const std::vector<std::ptrdiff_t>& axes,
                                        const Tensor& t);

/// "0, 2" for attribute text.
std::string axes_str(const std::vector<std::size_t>& axes);

/// Shape as a Shape vector.
inline Shape shape_of(const Tensor& t) { return t.shape_vector(); }

/// The gradient `g` reduced to input i's shape, or undefined when input i needs none.
inline Tensor grad_for(const BackwardContext& c, std::size_t i, const Tensor& g) {
    return c.needs[i] ? sum_to(g, shape_of(c.inputs[i])) : Tensor();
}

}  // namespace xgrad::detail
