#pragma once
/// @file activations.hpp
/// Layer activations by Keras name or by the typed nn::Activation enum.

#include <string>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// The activation called `name` ("linear", "relu", "sigmoid", "tanh", "softmax");
/// ValueError listing the valid names otherwise.
Activation activation_from_string(const std::string& name);
/// The Keras name of `a` ("relu").
std::string to_string(Activation a);
/// Applies `a` to `x`: linear is the identity, softmax is taken over the last axis.
Tensor apply_activation(Activation a, const Tensor& x);
/// The valid activation names, comma separated (for error messages).
std::string activation_names();

}  // namespace xgrad::nn
