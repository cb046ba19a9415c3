#pragma once
/// @file conv.hpp
/// nn::Conv2D: Keras' 2-D convolution layer, y = activation(conv2d(x, K) + b), channels_last.

#include <array>
#include <cstddef>
#include <string>

#include "xgrad/nn/activations.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/nn/module.hpp"
#include "xgrad/ops/conv.hpp"

namespace xgrad::nn {

/// The options of Conv2D after filters, kernel size and activation (Keras' keyword arguments).
struct Conv2DOptions {
    std::array<std::size_t, 2> strides{1, 1};                 ///< window step
    Padding padding = Padding::Valid;                         ///< valid or same
    std::array<std::size_t, 2> dilation_rate{1, 1};           ///< gap between kernel taps
    bool use_bias = true;                                     ///< add b (one per filter)
    init::Initializer kernel_initializer = "glorot_uniform";  ///< K (kh, kw, C, filters)
    init::Initializer bias_initializer = "zeros";             ///< b (filters)
    Shape input_shape = {};                                   ///< (H, W, C) per sample; {} = from the first input
    std::string name = "";                                    ///< "" = automatic (conv2d_1, ...)
};

/// 2-D convolution layer on (batch, H, W, C) inputs: y = activation(conv2d(x, K) + b), with
/// K of shape (kh, kw, C, filters) (glorot-uniform: fans kh·kw·C and kh·kw·filters) and b of
/// shape (filters) (zeros). Ops are recorded in NameScope(name()): "conv2d_1/conv2d",
/// "conv2d_1/add", "conv2d_1/relu"; parameters "conv2d_1.kernel", "conv2d_1.bias".
/// Gradients: dK = im2col(x)ᵀ · dz, db = Σ dz over batch and positions, dx = col2im(dz · Kᵀ).
class Conv2D : public Module {
public:
    /// Keras' `Conv2D(filters, (kh, kw), activation='relu', ...)`.
    Conv2D(std::size_t filters, std::array<std::size_t, 2> kernel_size, const std::string& activation = "linear",
           Conv2DOptions options = {});
    /// Typed activation.
    Conv2D(std::size_t filters, std::array<std::size_t, 2> kernel_size, Activation activation, Conv2DOptions options = {});

    /// activation(conv2d(x, K) + b).
    Tensor forward(const Tensor& x) override;
    /// conv2d(x, K) + b.
    Tensor forward_without_activation(const Tensor& x) override;
    /// "Conv2D".
    std::string type_name() const override { return "Conv2D"; }
    /// filters, kernel_size, activation, the Conv2DOptions and input_shape (once known).
    nlohmann::json config() const override;
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Conv2D>(*this); }
    /// Creates K and b for per-sample input (H, W, C); returns (OH, OW, filters).
    Shape build(const Shape& input_shape) override;
    /// True once K exists.
    bool built() const override { return kernel_.defined(); }
    /// (OH, OW, filters) once built.
    Shape output_shape() const override { return output_shape_; }
    /// The final activation.
    std::optional<Activation> activation() const override { return activation_; }

    /// K, shape (kh, kw, C, filters); undefined before build.
    const Tensor& kernel() const { return kernel_; }
    /// b, shape (filters); undefined before build or without bias.
    const Tensor& bias() const { return bias_; }
    /// The op options (strides, padding, dilation).
    xgrad::Conv2DOptions op_options() const;
    /// The per-sample input shape (H, W, C) it was last built for; empty before build.
    const Shape& input_shape() const { return input_shape_; }

private:
    Tensor linear(const Tensor& x);

    std::size_t filters_;
    std::array<std::size_t, 2> kernel_size_;
    Activation activation_;
    Conv2DOptions options_;
    Shape input_shape_, output_shape_;
    Tensor kernel_, bias_;
};

}  // namespace xgrad::nn
