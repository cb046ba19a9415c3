// Dropout: the dropout op driven by the module's training flag.
#include "xgrad/nn/dropout.hpp"

#include "xgrad/ops/nn_ops.hpp"

namespace xgrad::nn {

Dropout::Dropout(float rate) : rate_(rate) {
    if (!(rate >= 0.f && rate < 1.f)) throw ValueError("Dropout: rate must be in [0, 1), got " + std::to_string(rate));
}

Shape Dropout::build(const Shape& input_shape) {
    output_shape_ = input_shape;
    return input_shape;
}

Tensor Dropout::forward(const Tensor& x) {
    if (name().empty()) set_name("dropout");
    build(Shape(x.shape().begin() + (x.ndim() ? 1 : 0), x.shape().end()));
    NameScope scope(name());
    return dropout(x, rate_, is_training());
}

}  // namespace xgrad::nn
