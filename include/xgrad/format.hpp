#pragma once
/// @file format.hpp
/// Text forms of shapes and tensors used in error messages, traces and diagrams.

#include <string>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// "(128x784)" for a 2-D shape, "(5)" for 1-D, "()" for a scalar.
std::string shape_str(const Array::shape_type& shape);
/// shape_str for a Shape vector.
std::string shape_str(const Shape& shape);
/// A tensor as an operand in messages: "(3x4)", or "(3x4 'w')" when it has a label.
std::string describe(const Tensor& t);
/// A compact rendering of a value: all elements when size <= max_elements, else
/// "min .. max, mean, norm" (used by traces and diagrams).
std::string summarize(const Array& value, std::size_t max_elements = 12, int precision = 4);

}  // namespace xgrad
