#pragma once
/// @file elementwise.hpp
/// Elementwise ops with NumPy broadcasting. Gradients are summed back to each input's shape.

#include "xgrad/tensor.hpp"

namespace xgrad {

/// a + b.  da = g, db = g (each summed back to its input's shape)
Tensor add(const Tensor& a, const Tensor& b);
/// a - b.  da = g, db = -g
Tensor sub(const Tensor& a, const Tensor& b);
/// a * b.  da = g*b, db = g*a
Tensor mul(const Tensor& a, const Tensor& b);
/// a / b.  da = g/b, db = -g*a/b^2
Tensor div(const Tensor& a, const Tensor& b);
/// a^b (elementwise).  da = g*b*a^(b-1), db = g*a^b*log(a)
Tensor pow(const Tensor& a, const Tensor& b);
/// a^p for a constant exponent.  da = g*p*a^(p-1)
Tensor pow(const Tensor& a, float p);
/// max(a, b).  The gradient goes to the larger input (split evenly on ties).
Tensor maximum(const Tensor& a, const Tensor& b);
/// min(a, b).  The gradient goes to the smaller input (split evenly on ties).
Tensor minimum(const Tensor& a, const Tensor& b);

/// t + value·a·b (the out-of-place twin of Tensor::addcmul_).  dt = g, da = value·g·b, db = value·g·a
Tensor addcmul(const Tensor& t, const Tensor& a, const Tensor& b, float value = 1.f);
/// t + value·a/b (the out-of-place twin of Tensor::addcdiv_).  dt = g, da = value·g/b, db = −value·g·a/b²
Tensor addcdiv(const Tensor& t, const Tensor& a, const Tensor& b, float value = 1.f);

/// -a.  da = -g
Tensor neg(const Tensor& a);
/// e^a.  da = g*e^a
Tensor exp(const Tensor& a);
/// ln(a).  da = g/a
Tensor log(const Tensor& a);
/// sqrt(a).  da = g/(2*sqrt(a))
Tensor sqrt(const Tensor& a);
/// a^2.  da = 2*a*g
Tensor square(const Tensor& a);
/// |a|.  da = sign(a)*g
Tensor abs(const Tensor& a);
/// a clipped to [lo, hi].  da = g where lo < a < hi, else 0
/// Records its bounds as the attribute "range" = "[lo, hi]" in the shortest text that reads
/// back as the same floats ("[0.1, 0.33333334]"). ValueError unless lo <= hi.
Tensor clip(const Tensor& a, float lo, float hi);

Tensor operator+(const Tensor& a, const Tensor& b);  ///< add(a, b)
Tensor operator-(const Tensor& a, const Tensor& b);  ///< sub(a, b)
Tensor operator*(const Tensor& a, const Tensor& b);  ///< mul(a, b)
Tensor operator/(const Tensor& a, const Tensor& b);  ///< div(a, b)
Tensor operator-(const Tensor& a);                   ///< neg(a)
Tensor operator+(const Tensor& a, float b);          ///< a + scalar(b)
Tensor operator+(float a, const Tensor& b);          ///< scalar(a) + b
Tensor operator-(const Tensor& a, float b);          ///< a - scalar(b)
Tensor operator-(float a, const Tensor& b);          ///< scalar(a) - b
Tensor operator*(const Tensor& a, float b);          ///< a * scalar(b)
Tensor operator*(float a, const Tensor& b);          ///< scalar(a) * b
Tensor operator/(const Tensor& a, float b);          ///< a / scalar(b)
Tensor operator/(float a, const Tensor& b);          ///< scalar(a) / b

/// The shape two operands broadcast to (NumPy rules); ShapeError names `op` and both shapes.
Shape broadcast_shapes(const char* op, const Tensor& a, const Tensor& b);

}  // namespace xgrad
