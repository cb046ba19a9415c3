#pragma once
/// @file dense.hpp
/// nn::Dense: y = activation(x·W + b), Keras' fully connected layer.

#include <cstddef>
#include <string>

#include "xgrad/nn/activations.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Every option of a Dense layer (the short constructors cover the common ones).
struct DenseOptions {
    std::size_t units = 0;                                    ///< output features (> 0)
    Activation activation = Activation::Linear;               ///< final activation
    std::size_t input_dim = 0;                                ///< input features; 0 = from the first input
    init::Initializer kernel_initializer = "glorot_uniform";  ///< W (input_dim x units)
    init::Initializer bias_initializer = "zeros";             ///< b (units)
    bool use_bias = true;                                     ///< add b
    std::string name = "";                                    ///< "" = automatic (dense_1, ... in a Sequential)
};

/// Fully connected layer: y = activation(x·W + b) for x of shape (batch, input_dim).
/// The ops are recorded inside NameScope(name()): nodes are labelled "dense_1/matmul",
/// "dense_1/add", "dense_1/relu"; the parameters are "dense_1.kernel" and "dense_1.bias".
/// Gradients: dW = xᵀ·dz, db = Σ_batch dz, dx = dz·Wᵀ (dz through the activation).
class Dense : public Module {
public:
    /// Keras' `Dense(units, activation, input_dim)`; activation by name ("relu").
    Dense(std::size_t units, const std::string& activation = "linear", std::size_t input_dim = 0);
    /// Typed activation: `Dense(10, Activation::Softmax)`.
    Dense(std::size_t units, Activation activation, std::size_t input_dim = 0);
    /// Every option.
    explicit Dense(DenseOptions options);

    /// activation(x·W + b).
    Tensor forward(const Tensor& x) override;
    /// x·W + b (the logits when the activation is softmax).
    Tensor forward_without_activation(const Tensor& x) override;
    /// "Dense".
    std::string type_name() const override { return "Dense"; }
    /// units, activation, use_bias, the initializers and input_dim (once known).
    nlohmann::json config() const override;
    /// Creates W and b for input shape {input_dim}; ShapeError when it disagrees with a
    /// given input_dim.
    Shape build(const Shape& input_shape) override;
    /// True once W exists.
    bool built() const override { return kernel_.defined(); }
    /// {units}.
    Shape output_shape() const override { return {options_.units}; }
    /// The final activation.
    std::optional<Activation> activation() const override { return options_.activation; }
    /// A copy sharing W and b (functional models adopt layers with it).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Dense>(*this); }

    /// W, shape (input_dim, units); undefined before build.
    const Tensor& kernel() const { return kernel_; }
    /// b, shape (units); undefined before build or without bias.
    const Tensor& bias() const { return bias_; }
    /// Output features.
    std::size_t units() const { return options_.units; }
    /// Input features (0 until known).
    std::size_t input_dim() const { return options_.input_dim; }

private:
    Tensor linear(const Tensor& x);

    DenseOptions options_;
    Tensor kernel_;
    Tensor bias_;
};

}  // namespace xgrad::nn
