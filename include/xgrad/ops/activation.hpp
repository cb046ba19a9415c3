#pragma once
/// @file activation.hpp
/// Activations and the numerically stable (log-)softmax.

#include "xgrad/tensor.hpp"

namespace xgrad {

/// max(a, 0).  da = g where a > 0, else 0
Tensor relu(const Tensor& a);
/// 1/(1+e^-a).  da = g*s*(1-s)
Tensor sigmoid(const Tensor& a);
/// tanh(a).  da = g*(1 - tanh(a)^2)
Tensor tanh(const Tensor& a);
/// tanh's backward in one pass: g·(1 − y²) for y = tanh(a).  dg = 1 − y², dy = −2·g·y
Tensor tanh_backward(const Tensor& g, const Tensor& y);
/// sigmoid's backward in one pass: g·y·(1 − y) for y = σ(a).  dg = y·(1 − y), dy = g·(1 − 2y)
Tensor sigmoid_backward(const Tensor& g, const Tensor& y);
/// softmax's backward along the last axis in one pass per row: s·(g − Σ g·s) for s = softmax(a).
/// dg = the same op on the incoming gradient (the Jacobian is symmetric), ds = u·(g − Σg·s) − g·Σu·s
Tensor softmax_backward(const Tensor& g, const Tensor& s);
/// e^a / sum(e^a) along `axis`, computed as e^(a-max).  da = s*(g - sum(g*s, axis))
Tensor softmax(const Tensor& a, std::ptrdiff_t axis = -1);
/// a - max - log(sum(e^(a-max))) along `axis`.  da = g - softmax(a)*sum(g, axis)
Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis = -1);

}  // namespace xgrad
