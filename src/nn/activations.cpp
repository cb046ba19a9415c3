// Activation lookup: one table maps Keras names to the enum.
#include "xgrad/nn/activations.hpp"

#include <array>
#include <utility>

#include "xgrad/ops/activation.hpp"

namespace xgrad::nn {

namespace {
constexpr std::array<std::pair<const char*, Activation>, 5> kTable{{
    {"linear", Activation::Linear},
    {"relu", Activation::Relu},
    {"sigmoid", Activation::Sigmoid},
    {"tanh", Activation::Tanh},
    {"softmax", Activation::Softmax},
}};
}  // namespace

std::string activation_names() {
    std::string s;
    for (auto& [n, a] : kTable) s += (s.empty() ? "" : ", ") + std::string(n);
    return s;
}

Activation activation_from_string(const std::string& name) {
    for (auto& [n, a] : kTable) {
        if (name == n) return a;
    }
    throw ValueError("activation: unknown activation '" + name + "'; valid names: " + activation_names());
}

std::string to_string(Activation a) {
    for (auto& [n, v] : kTable) {
        if (v == a) return n;
    }
    return "?";
}

Tensor apply_activation(Activation a, const Tensor& x) {
    switch (a) {
        case Activation::Linear: return x;
        case Activation::Relu: return xgrad::relu(x);
        case Activation::Sigmoid: return xgrad::sigmoid(x);
        case Activation::Tanh: return xgrad::tanh(x);
        case Activation::Softmax: return xgrad::softmax(x, -1);
    }
    return x;
}

}  // namespace xgrad::nn
