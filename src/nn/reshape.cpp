// Flatten and Reshape: per-sample shape changes, the batch axis kept.
#include "xgrad/nn/reshape.hpp"

#include <numeric>

#include "xgrad/format.hpp"
#include "xgrad/ops/shape.hpp"

namespace xgrad::nn {

namespace {
std::size_t product(const Shape& s) { return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>()); }

std::string target_str(const std::vector<std::ptrdiff_t>& t) {
    std::string s = "(";
    for (std::size_t i = 0; i < t.size(); ++i) s += (i ? "x" : "") + std::to_string(t[i]);
    return s + ")";
}
}  // namespace

Shape Flatten::build(const Shape& input_shape) {
    output_shape_ = {product(input_shape)};
    return output_shape_;
}

Tensor Flatten::forward(const Tensor& x) {
    if (name().empty()) set_name("flatten");
    if (x.ndim() < 1) throw ShapeError(name() + ": Flatten needs a batch axis, got the scalar " + describe(x));
    build(Shape(x.shape().begin() + 1, x.shape().end()));
    NameScope scope(name());
    return reshape(x, Shape{x.shape()[0], output_shape_[0]});
}

Reshape::Reshape(std::vector<std::ptrdiff_t> target_shape) : target_(std::move(target_shape)) {
    int unknown = 0;
    for (auto d : target_) {
        if (d == -1) ++unknown;
        else if (d <= 0) throw ValueError("Reshape: target " + target_str(target_) + " may only hold positive sizes and one -1");
    }
    if (unknown > 1) throw ValueError("Reshape: target " + target_str(target_) + " has more than one -1");
}

Shape Reshape::build(const Shape& input_shape) {
    const std::size_t size = product(input_shape);
    std::size_t known = 1;
    for (auto d : target_) known *= d == -1 ? 1 : std::size_t(d);
    Shape out;
    for (auto d : target_) out.push_back(d == -1 ? (known ? size / known : 0) : std::size_t(d));
    if (product(out) != size) {
        throw ShapeError((name().empty() ? std::string("reshape") : name()) + ": cannot reshape per-sample input " +
                         shape_str(input_shape) + " (" + std::to_string(size) + " elements) to " + target_str(target_));
    }
    output_shape_ = out;
    return out;
}

Tensor Reshape::forward(const Tensor& x) {
    if (name().empty()) set_name("reshape");
    if (x.ndim() < 1) throw ShapeError(name() + ": Reshape needs a batch axis, got the scalar " + describe(x));
    build(Shape(x.shape().begin() + 1, x.shape().end()));
    Shape full{x.shape()[0]};
    full.insert(full.end(), output_shape_.begin(), output_shape_.end());
    NameScope scope(name());
    return reshape(x, full);
}

}  // namespace xgrad::nn
