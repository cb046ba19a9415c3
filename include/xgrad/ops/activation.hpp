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
/// e^a / sum(e^a) along `axis`, computed as e^(a-max).  da = s*(g - sum(g*s, axis))
Tensor softmax(const Tensor& a, std::ptrdiff_t axis = -1);
/// a - max - log(sum(e^(a-max))) along `axis`.  da = g - softmax(a)*sum(g, axis)
Tensor log_softmax(const Tensor& a, std::ptrdiff_t axis = -1);

}  // namespace xgrad
