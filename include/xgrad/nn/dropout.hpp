#pragma once
/// @file dropout.hpp
/// nn::Dropout: Keras' inverted dropout layer, active only in training mode.

#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Keras' Dropout(rate): in training mode (Module::is_training(), switched on by fit) each
/// input element is zeroed with probability `rate` and the rest scaled by 1/(1 - rate);
/// in inference mode (evaluate, predict) it is the identity. ValueError unless 0 <= rate < 1.
class Dropout : public Module {
public:
    /// The fraction of inputs to drop.
    explicit Dropout(float rate);
    /// dropout(x, rate, is_training()).
    Tensor forward(const Tensor& x) override;
    /// "Dropout".
    std::string type_name() const override { return "Dropout"; }
    /// rate.
    nlohmann::json config() const override;
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Dropout>(*this); }
    /// Passes the shape through.
    Shape build(const Shape& input_shape) override;
    /// True once the input shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// The input shape once built.
    Shape output_shape() const override { return output_shape_; }
    /// The drop rate.
    float rate() const { return rate_; }

private:
    float rate_;
    Shape output_shape_;
};

}  // namespace xgrad::nn
