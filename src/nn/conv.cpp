// Conv2D: conv2d + bias + activation, built lazily from the first input's (H, W, C).
#include "xgrad/nn/conv.hpp"

#include "xgrad/format.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad::nn {

Conv2D::Conv2D(std::size_t filters, std::array<std::size_t, 2> kernel_size, const std::string& activation,
               Conv2DOptions options)
    : Conv2D(filters, kernel_size, activation_from_string(activation), std::move(options)) {}

Conv2D::Conv2D(std::size_t filters, std::array<std::size_t, 2> kernel_size, Activation activation, Conv2DOptions options)
    : filters_(filters), kernel_size_(kernel_size), activation_(activation), options_(std::move(options)) {
    if (filters_ == 0) throw ValueError("Conv2D: filters must be positive, got 0");
    if (kernel_size_[0] == 0 || kernel_size_[1] == 0) {
        throw ValueError("Conv2D: kernel_size must be positive, got (" + std::to_string(kernel_size_[0]) + ", " +
                         std::to_string(kernel_size_[1]) + ")");
    }
    for (auto v : {options_.strides[0], options_.strides[1], options_.dilation_rate[0], options_.dilation_rate[1]}) {
        if (v == 0) throw ValueError("Conv2D: strides and dilation_rate must be positive");
    }
    if (!options_.name.empty()) set_name(options_.name);
    if (!options_.input_shape.empty()) build(options_.input_shape);
}

xgrad::Conv2DOptions Conv2D::op_options() const {
    return {.strides = options_.strides, .padding = options_.padding, .dilation_rate = options_.dilation_rate};
}

Shape Conv2D::build(const Shape& input_shape) {
    const std::string who = name().empty() ? std::string("conv2d") : name();
    if (input_shape.size() != 3) {
        throw ShapeError(who + ": Conv2D expects inputs of shape (batch, height, width, channels); per-sample shape " +
                         shape_str(input_shape) + " is not 3-D");
    }
    if (built()) {
        if (input_shape[2] != input_shape_[2]) {
            throw ShapeError(who + ": expected inputs with " + std::to_string(input_shape_[2]) + " channels, got " +
                             shape_str(input_shape));
        }
    }
    Shape out{conv_output_length(input_shape[0], kernel_size_[0], options_.strides[0], options_.dilation_rate[0], options_.padding),
              conv_output_length(input_shape[1], kernel_size_[1], options_.strides[1], options_.dilation_rate[1], options_.padding),
              filters_};
    if (out[0] == 0 || out[1] == 0 || input_shape[2] == 0) {
        throw ShapeError(who + ": a " + std::to_string(kernel_size_[0]) + "x" + std::to_string(kernel_size_[1]) +
                         " kernel with '" + to_string(options_.padding) + "' padding does not fit inputs " +
                         shape_str(input_shape));
    }
    if (!built()) {
        kernel_ = register_parameter("kernel", options_.kernel_initializer({kernel_size_[0], kernel_size_[1], input_shape[2], filters_}));
        if (options_.use_bias) bias_ = register_parameter("bias", options_.bias_initializer({filters_}));
    }
    input_shape_ = input_shape;
    output_shape_ = out;
    return out;
}

Tensor Conv2D::linear(const Tensor& x) {
    if (name().empty()) set_name("conv2d");
    if (x.ndim() != 4) {
        throw ShapeError(name() + ": Conv2D expects a 4-D input (batch, height, width, channels), got " + describe(x));
    }
    build({x.shape()[1], x.shape()[2], x.shape()[3]});
    NameScope scope(name());
    return options_.use_bias ? conv2d(x, kernel_, bias_, op_options()) : conv2d(x, kernel_, op_options());
}

Tensor Conv2D::forward(const Tensor& x) {
    Tensor z = linear(x);
    if (activation_ == Activation::Linear) return z;
    NameScope scope(name());
    return apply_activation(activation_, z);
}

Tensor Conv2D::forward_without_activation(const Tensor& x) { return linear(x); }

}  // namespace xgrad::nn
