// Pooling layers: shape bookkeeping around the pooling ops.
#include "xgrad/nn/pooling.hpp"

#include "nn/naming.hpp"
#include "xgrad/format.hpp"

namespace xgrad::nn {

namespace {

std::string lower_name(const Module& m) { return detail::snake_case(m.type_name()); }

void require_images(const Module& m, const Tensor& x) {
    if (x.ndim() != 4) {
        throw ShapeError(m.name() + ": " + m.type_name() + " expects a 4-D input (batch, height, width, channels), got " +
                         describe(x));
    }
}

}  // namespace

Pooling2D::Pooling2D(std::array<std::size_t, 2> pool_size, std::array<std::size_t, 2> strides, Padding padding)
    : options_{.pool_size = pool_size, .strides = strides, .padding = padding} {
    if (pool_size[0] == 0 || pool_size[1] == 0) throw ValueError("Pooling2D: pool_size must be positive");
    if ((strides[0] == 0) != (strides[1] == 0)) throw ValueError("Pooling2D: strides must be both positive or both 0 (= pool_size)");
    if (strides[0] == 0) options_.strides = pool_size;
}

Shape Pooling2D::build(const Shape& input_shape) {
    const std::string who = name().empty() ? lower_name(*this) : name();
    if (input_shape.size() != 3) {
        throw ShapeError(who + ": " + type_name() + " expects inputs of shape (batch, height, width, channels); per-sample shape " +
                         shape_str(input_shape) + " is not 3-D");
    }
    Shape out{conv_output_length(input_shape[0], options_.pool_size[0], options_.strides[0], 1, options_.padding),
              conv_output_length(input_shape[1], options_.pool_size[1], options_.strides[1], 1, options_.padding),
              input_shape[2]};
    if (out[0] == 0 || out[1] == 0) {
        throw ShapeError(who + ": a " + std::to_string(options_.pool_size[0]) + "x" + std::to_string(options_.pool_size[1]) +
                         " window with 'valid' padding does not fit inputs " + shape_str(input_shape));
    }
    output_shape_ = out;
    return out;
}

void Pooling2D::prepare(const Tensor& x) {
    if (name().empty()) set_name(lower_name(*this));
    require_images(*this, x);
    build({x.shape()[1], x.shape()[2], x.shape()[3]});
}

MaxPooling2D::MaxPooling2D(std::array<std::size_t, 2> pool_size, std::array<std::size_t, 2> strides, Padding padding)
    : Pooling2D(pool_size, strides, padding) {}

Tensor MaxPooling2D::forward(const Tensor& x) {
    prepare(x);
    NameScope scope(name());
    return max_pool2d(x, options());
}

AveragePooling2D::AveragePooling2D(std::array<std::size_t, 2> pool_size, std::array<std::size_t, 2> strides, Padding padding)
    : Pooling2D(pool_size, strides, padding) {}

Tensor AveragePooling2D::forward(const Tensor& x) {
    prepare(x);
    NameScope scope(name());
    return avg_pool2d(x, options());
}

Shape GlobalAveragePooling2D::build(const Shape& input_shape) {
    if (input_shape.size() != 3) {
        throw ShapeError((name().empty() ? std::string("global_average_pooling2d") : name()) +
                         ": GlobalAveragePooling2D expects inputs of shape (batch, height, width, channels); per-sample shape " +
                         shape_str(input_shape) + " is not 3-D");
    }
    output_shape_ = {input_shape[2]};
    return output_shape_;
}

Tensor GlobalAveragePooling2D::forward(const Tensor& x) {
    if (name().empty()) set_name("global_average_pooling2d");
    require_images(*this, x);
    build({x.shape()[1], x.shape()[2], x.shape()[3]});
    NameScope scope(name());
    return global_avg_pool2d(x);
}

}  // namespace xgrad::nn
