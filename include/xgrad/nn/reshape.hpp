#pragma once
/// @file reshape.hpp
/// Layers that only change the per-sample shape: Flatten and Reshape (Keras names).

#include <cstddef>
#include <vector>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Keras' Flatten: (batch, d1, d2, ...) -> (batch, d1·d2·...).
class Flatten : public Module {
public:
    Flatten() = default;
    /// flatten(x, 1).
    Tensor forward(const Tensor& x) override;
    /// "Flatten".
    std::string type_name() const override { return "Flatten"; }
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Flatten>(*this); }
    /// (product of the input shape).
    Shape build(const Shape& input_shape) override;
    /// True once the input shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// (d1·d2·...) once built.
    Shape output_shape() const override { return output_shape_; }

private:
    Shape output_shape_;
};

/// Keras' Reshape(target_shape): each sample gets `target_shape`; one entry may be -1
/// (inferred from the size). ShapeError names the layer and both shapes when sizes differ.
class Reshape : public Module {
public:
    /// The per-sample target, e.g. Reshape({28, 28, 1}) or Reshape({-1, 7}).
    explicit Reshape(std::vector<std::ptrdiff_t> target_shape);
    /// reshape(x, (batch, target...)).
    Tensor forward(const Tensor& x) override;
    /// "Reshape".
    std::string type_name() const override { return "Reshape"; }
    /// target_shape (with its -1).
    nlohmann::json config() const override;
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Reshape>(*this); }
    /// The target with -1 resolved; ShapeError when it does not fit the input size.
    Shape build(const Shape& input_shape) override;
    /// True once the input shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// The resolved target once built.
    Shape output_shape() const override { return output_shape_; }

private:
    std::vector<std::ptrdiff_t> target_;
    Shape output_shape_;
};

}  // namespace xgrad::nn
