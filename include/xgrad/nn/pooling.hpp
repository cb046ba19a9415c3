#pragma once
/// @file pooling.hpp
/// Pooling layers (Keras names): MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D.
/// They have no parameters; their output shape is known once the input shape is.

#include <array>
#include <cstddef>

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/conv.hpp"

namespace xgrad::nn {

/// Shared by the 2-D pooling layers: options, output shape and the input check.
class Pooling2D : public Module {
public:
    /// Computes the per-sample output (OH, OW, C) of input (H, W, C).
    Shape build(const Shape& input_shape) override;
    /// True once the input shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// (OH, OW, C) once built.
    Shape output_shape() const override { return output_shape_; }
    /// The op options.
    const Pool2DOptions& options() const { return options_; }
    /// pool_size, strides, padding.
    nlohmann::json config() const override;

protected:
    Pooling2D(std::array<std::size_t, 2> pool_size, std::array<std::size_t, 2> strides, Padding padding);
    /// Names the layer if needed, checks the input rank and builds from it.
    void prepare(const Tensor& x);

private:
    Pool2DOptions options_;
    Shape output_shape_;
};

/// Keras' MaxPooling2D(pool_size=(2, 2), strides=None (= pool_size), padding='valid'):
/// the maximum of each window per channel; the max takes the gradient.
class MaxPooling2D : public Pooling2D {
public:
    /// strides {0, 0} means "equal to pool_size", as Keras' None.
    explicit MaxPooling2D(std::array<std::size_t, 2> pool_size = {2, 2}, std::array<std::size_t, 2> strides = {0, 0},
                          Padding padding = Padding::Valid);
    /// max_pool2d(x).
    Tensor forward(const Tensor& x) override;
    /// "MaxPooling2D".
    std::string type_name() const override { return "MaxPooling2D"; }
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<MaxPooling2D>(*this); }
};

/// Keras' AveragePooling2D: the mean of each window per channel.
class AveragePooling2D : public Pooling2D {
public:
    /// strides {0, 0} means "equal to pool_size", as Keras' None.
    explicit AveragePooling2D(std::array<std::size_t, 2> pool_size = {2, 2}, std::array<std::size_t, 2> strides = {0, 0},
                              Padding padding = Padding::Valid);
    /// avg_pool2d(x).
    Tensor forward(const Tensor& x) override;
    /// "AveragePooling2D".
    std::string type_name() const override { return "AveragePooling2D"; }
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<AveragePooling2D>(*this); }
};

/// Keras' GlobalAveragePooling2D: (batch, H, W, C) -> (batch, C), the mean over H and W.
class GlobalAveragePooling2D : public Module {
public:
    GlobalAveragePooling2D() = default;
    /// global_avg_pool2d(x).
    Tensor forward(const Tensor& x) override;
    /// "GlobalAveragePooling2D".
    std::string type_name() const override { return "GlobalAveragePooling2D"; }
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<GlobalAveragePooling2D>(*this); }
    /// (C) for input (H, W, C).
    Shape build(const Shape& input_shape) override;
    /// True once the input shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// (C) once built.
    Shape output_shape() const override { return output_shape_; }

private:
    Shape output_shape_;
};

}  // namespace xgrad::nn
