// Merge layers: shape checks with the layer's name, then the public ops inside its name scope.
#include "xgrad/nn/merge.hpp"

#include "xgrad/format.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/shape.hpp"

namespace xgrad::nn {

namespace {
// x_1 op x_2 op ... op x_n, left to right.
Tensor fold(const std::vector<Tensor>& inputs, Tensor (*op)(const Tensor&, const Tensor&)) {
    Tensor y = inputs[0];
    for (std::size_t i = 1; i < inputs.size(); ++i) y = op(y, inputs[i]);
    return y;
}

std::string shapes_of(const std::vector<Tensor>& inputs) {
    std::string s;
    for (const auto& t : inputs) s += (s.empty() ? "" : ", ") + shape_str(t.shape());
    return s;
}
}  // namespace

Tensor Merge::forward(const Tensor&) {
    throw ValueError(type_name() + " '" + name() + "' merges several inputs; call it on a list of tensors");
}

void Merge::check(const std::vector<Tensor>& inputs) const {
    for (const auto& t : inputs) {
        if (t.shape() != inputs[0].shape()) {
            throw ShapeError(type_name() + " '" + name() + "' needs inputs of one shape, got " + shapes_of(inputs));
        }
    }
}

Tensor Merge::forward_inputs(const std::vector<Tensor>& inputs) {
    const std::size_t n = arity();
    if ((n == 0 && inputs.size() < 2) || (n != 0 && inputs.size() != n)) {
        throw ValueError(type_name() + " '" + name() + "' needs " + (n ? "exactly " + std::to_string(n) : std::string("at least 2")) +
                         " inputs, got " + std::to_string(inputs.size()));
    }
    check(inputs);
    NameScope scope(name());
    return merge(inputs);
}

Add::Add(std::string name) { if (!name.empty()) set_name(std::move(name)); }
Tensor Add::merge(const std::vector<Tensor>& inputs) { return fold(inputs, xgrad::add); }

Subtract::Subtract(std::string name) { if (!name.empty()) set_name(std::move(name)); }
Tensor Subtract::merge(const std::vector<Tensor>& inputs) { return xgrad::sub(inputs[0], inputs[1]); }

Multiply::Multiply(std::string name) { if (!name.empty()) set_name(std::move(name)); }
Tensor Multiply::merge(const std::vector<Tensor>& inputs) { return fold(inputs, xgrad::mul); }

Average::Average(std::string name) { if (!name.empty()) set_name(std::move(name)); }
Tensor Average::merge(const std::vector<Tensor>& inputs) { return fold(inputs, xgrad::add) * (1.f / float(inputs.size())); }

Concatenate::Concatenate(int axis, std::string name) : axis_(axis) { if (!name.empty()) set_name(std::move(name)); }

std::size_t Concatenate::resolved_axis(std::size_t rank) const {
    const long a = axis_ < 0 ? long(rank) + axis_ : long(axis_);
    if (a <= 0 || a >= long(rank)) {
        throw ShapeError(type_name() + " '" + name() + "': axis " + std::to_string(axis_) + " is out of range for inputs of rank " +
                         std::to_string(rank) + (a == 0 ? " (axis 0 is the batch axis)" : ""));
    }
    return std::size_t(a);
}

void Concatenate::check(const std::vector<Tensor>& inputs) const {
    const std::size_t rank = inputs[0].ndim();
    const std::size_t ax = resolved_axis(rank);
    for (const auto& t : inputs) {
        bool ok = t.ndim() == rank;
        for (std::size_t d = 0; ok && d < rank; ++d) ok = d == ax || t.shape()[d] == inputs[0].shape()[d];
        if (!ok) {
            throw ShapeError(type_name() + " '" + name() + "' needs inputs that agree except along axis " + std::to_string(axis_) +
                             ", got " + shapes_of(inputs));
        }
    }
}

Tensor Concatenate::merge(const std::vector<Tensor>& inputs) {
    return xgrad::concat(inputs, std::ptrdiff_t(resolved_axis(inputs[0].ndim())));
}

SymbolicTensor add(const std::vector<SymbolicTensor>& inputs, std::string name) { return Add(std::move(name))(inputs); }
SymbolicTensor subtract(const std::vector<SymbolicTensor>& inputs, std::string name) {
    return Subtract(std::move(name))(inputs);
}
SymbolicTensor multiply(const std::vector<SymbolicTensor>& inputs, std::string name) {
    return Multiply(std::move(name))(inputs);
}
SymbolicTensor average(const std::vector<SymbolicTensor>& inputs, std::string name) {
    return Average(std::move(name))(inputs);
}
SymbolicTensor concatenate(const std::vector<SymbolicTensor>& inputs, int axis, std::string name) {
    return Concatenate(axis, std::move(name))(inputs);
}

}  // namespace xgrad::nn
