// BatchNormalization: γ, β trained; the moving statistics are parameters without gradient,
// so they are saved with the weights but never touched by an optimizer.
#include "xgrad/nn/norm.hpp"

#include "xgrad/format.hpp"

namespace xgrad::nn {

BatchNormalization::BatchNormalization(BatchNormOptions options) : options_(options) {
    if (!(options_.momentum >= 0.f && options_.momentum <= 1.f) || !(options_.epsilon > 0.f)) {
        throw ValueError("BatchNormalization: momentum must be in [0, 1] and epsilon positive");
    }
}

Shape BatchNormalization::build(const Shape& input_shape) {
    const std::string who = name().empty() ? std::string("batch_normalization") : name();
    if (input_shape.empty() || input_shape.back() == 0) {
        throw ShapeError(who + ": BatchNormalization needs a non-empty channel axis, got per-sample shape " + shape_str(input_shape));
    }
    const std::size_t c = input_shape.back();
    if (built() && gamma_.size() != c) {
        throw ShapeError(who + ": expected " + std::to_string(gamma_.size()) + " channels, got per-sample shape " +
                         shape_str(input_shape));
    }
    if (!built()) {
        gamma_ = register_parameter("gamma", Array(Array::shape_type{c}, 1.f));
        beta_ = register_parameter("beta", Array(Array::shape_type{c}, 0.f));
        moving_mean_ = register_parameter("moving_mean", Array(Array::shape_type{c}, 0.f));
        moving_variance_ = register_parameter("moving_variance", Array(Array::shape_type{c}, 1.f));
        moving_mean_.set_requires_grad(false);
        moving_variance_.set_requires_grad(false);
    }
    output_shape_ = input_shape;
    return input_shape;
}

Tensor BatchNormalization::forward(const Tensor& x) {
    if (name().empty()) set_name("batch_normalization");
    if (x.ndim() < 2) throw ShapeError(name() + ": BatchNormalization needs (batch, ..., channels), got " + describe(x));
    build(Shape(x.shape().begin() + 1, x.shape().end()));
    NameScope scope(name());
    return batch_norm(x, gamma_, beta_, moving_mean_, moving_variance_, is_training(), options_);
}

}  // namespace xgrad::nn
