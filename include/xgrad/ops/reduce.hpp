#pragma once
/// @file reduce.hpp
/// Reductions over all elements or chosen axes (negative axes count from the end).

#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Sum of all elements (0-d).  da = broadcast(g)
Tensor sum(const Tensor& a);
/// Sum over `axes`; with keepdims the reduced axes stay as 1.  da = broadcast(g)
Tensor sum(const Tensor& a, const std::vector<std::ptrdiff_t>& axes, bool keepdims = false);
/// Mean of all elements.  da = broadcast(g)/n
Tensor mean(const Tensor& a);
/// Mean over `axes`.  da = broadcast(g)/n
Tensor mean(const Tensor& a, const std::vector<std::ptrdiff_t>& axes, bool keepdims = false);
/// Largest element.  da = g at the maximum (split evenly between ties)
Tensor max(const Tensor& a);
/// Largest element over `axes`.  da = g at the maxima (split evenly between ties)
Tensor max(const Tensor& a, const std::vector<std::ptrdiff_t>& axes, bool keepdims = false);
/// Index of the largest element along `axis` (first on ties), as a float constant; no gradient.
Tensor argmax(const Tensor& a, std::ptrdiff_t axis = -1);

}  // namespace xgrad
