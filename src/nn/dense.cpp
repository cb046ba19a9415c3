// Dense: matmul + bias add + activation, built lazily from the first input's width.
#include "xgrad/nn/dense.hpp"

#include "xgrad/format.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/linalg.hpp"

namespace xgrad::nn {

Dense::Dense(std::size_t units, const std::string& activation, std::size_t input_dim)
    : Dense(DenseOptions{.units = units, .activation = activation_from_string(activation), .input_dim = input_dim}) {}

Dense::Dense(std::size_t units, Activation activation, std::size_t input_dim)
    : Dense(DenseOptions{.units = units, .activation = activation, .input_dim = input_dim}) {}

Dense::Dense(DenseOptions options) : options_(std::move(options)) {
    if (options_.units == 0) throw ValueError("Dense: units must be positive, got 0");
    if (!options_.name.empty()) set_name(options_.name);
    if (options_.input_dim > 0) build({options_.input_dim});
}

Shape Dense::build(const Shape& input_shape) {
    const std::string who = name().empty() ? std::string("dense") : name();
    if (input_shape.size() != 1) {
        throw ShapeError(who + ": Dense expects inputs of shape (batch, features); per-sample shape " +
                         shape_str(input_shape) + " is not 1-D");
    }
    if (built()) {
        if (input_shape[0] != options_.input_dim) {
            throw ShapeError(who + ": expected inputs with " + std::to_string(options_.input_dim) +
                             " features, got " + std::to_string(input_shape[0]));
        }
        return {options_.units};
    }
    if (input_shape[0] == 0) throw ShapeError(who + ": inputs have 0 features");
    options_.input_dim = input_shape[0];
    kernel_ = register_parameter("kernel", options_.kernel_initializer({options_.input_dim, options_.units}));
    if (options_.use_bias) bias_ = register_parameter("bias", options_.bias_initializer({options_.units}));
    return {options_.units};
}

Tensor Dense::linear(const Tensor& x) {
    if (name().empty()) set_name("dense");
    if (x.ndim() != 2) {
        throw ShapeError(name() + ": Dense expects a 2-D input (batch, features), got " + describe(x));
    }
    build({x.shape()[1]});
    NameScope scope(name());
    Tensor z = matmul(x, kernel_);
    return options_.use_bias ? add(z, bias_) : z;
}

Tensor Dense::forward(const Tensor& x) {
    Tensor z = linear(x);
    if (options_.activation == Activation::Linear) return z;
    NameScope scope(name());
    return apply_activation(options_.activation, z);
}

Tensor Dense::forward_without_activation(const Tensor& x) { return linear(x); }

}  // namespace xgrad::nn
