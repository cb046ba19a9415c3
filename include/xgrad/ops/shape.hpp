#pragma once
/// @file shape.hpp
/// Ops that move elements without arithmetic: reshape, broadcasting, slicing, concatenation.

#include <initializer_list>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Same elements, new shape of equal size.  da = reshape(g, shape(a))
Tensor reshape(const Tensor& a, const Shape& shape);
/// reshape with at most one -1 axis, inferred from the size: reshape(x, {-1, 784}).
Tensor reshape(const Tensor& a, std::initializer_list<std::ptrdiff_t> shape);
/// Collapses axes start_axis.. into one: flatten(x) is 1-D, flatten(x, 1) keeps the batch axis.
Tensor flatten(const Tensor& a, std::size_t start_axis = 0);
/// Repeats `a` to `shape` under NumPy broadcasting.  da = sum_to(g, shape(a))
Tensor broadcast_to(const Tensor& a, const Shape& shape);
/// Sums `a` down to `shape` (which must broadcast to shape(a)): undoes broadcasting.
/// da = broadcast_to(g, shape(a))
Tensor sum_to(const Tensor& a, const Shape& shape);
/// Elements begin..end (end exclusive) along `axis`.  da = pad(g, axis, begin, n - end)
Tensor slice(const Tensor& a, std::ptrdiff_t axis, std::size_t begin, std::size_t end);
/// Rows begin..end (end exclusive): slice along axis 0.
Tensor slice_rows(const Tensor& a, std::size_t begin, std::size_t end);
/// Zero padding along `axis`: `before` zeros, then a, then `after` zeros.
/// da = slice(g, axis, before, before + n)
Tensor pad(const Tensor& a, std::ptrdiff_t axis, std::size_t before, std::size_t after);
/// Joins tensors along an existing axis.  d(part i) = slice of g
Tensor concat(const std::vector<Tensor>& parts, std::ptrdiff_t axis = 0);

}  // namespace xgrad
