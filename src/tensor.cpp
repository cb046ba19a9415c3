// Tensor handle accessors and leaf factories.
#include "xgrad/tensor.hpp"

#include <cmath>

#include "xgrad/autograd.hpp"
#include "xgrad/format.hpp"
#include "xgrad/graph.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad {

namespace detail {
std::shared_ptr<Node> make_leaf(Array value, std::string op, std::string label, bool requires_grad);
}

const Node& Tensor::checked(const char* what) const {
    if (!node_) {
        throw GraphError(std::string(what) +
                         ": undefined tensor (no gradient exists here: run backward() first, "
                         "or the tensor does not require grad)");
    }
    return *node_;
}

Node& Tensor::checked(const char* what) {
    return const_cast<Node&>(static_cast<const Tensor*>(this)->checked(what));
}

const Array& Tensor::value() const { return checked("value").value; }
Array& Tensor::data() { return checked("data").value; }
const Array::shape_type& Tensor::shape() const { return checked("shape").value.shape(); }
Shape Tensor::shape_vector() const {
    const auto& s = shape();
    return Shape(s.begin(), s.end());
}
std::size_t Tensor::size() const { return checked("size").value.size(); }
std::size_t Tensor::ndim() const { return checked("ndim").value.dimension(); }

float Tensor::item() const {
    const Node& n = checked("item");
    if (n.value.size() != 1) {
        throw GraphError("item: tensor " + describe(*this) + " has " + std::to_string(n.value.size()) +
                         " elements; item() needs exactly one");
    }
    return n.value.data()[0];
}

bool Tensor::requires_grad() const { return checked("requires_grad").requires_grad; }

Tensor& Tensor::set_requires_grad(bool on) {
    Node& n = checked("set_requires_grad");
    if (!n.is_leaf) {
        throw GraphError("set_requires_grad: " + describe(*this) + " was produced by '" + n.op +
                         "'; only leaves can change requires_grad (use detach())");
    }
    n.requires_grad = on;
    return *this;
}

bool Tensor::is_leaf() const { return checked("is_leaf").is_leaf; }
Tensor Tensor::grad() const { return Tensor(checked("grad").grad); }
void Tensor::set_grad(const Tensor& g) {
    Node& n = checked("set_grad");
    if (g.defined() && g.shape() != n.value.shape()) {
        throw ShapeError("set_grad: gradient " + describe(g) + " does not match tensor " + describe(*this));
    }
    n.grad = g.node();
}
void Tensor::zero_grad() { checked("zero_grad").grad.reset(); }
Tensor& Tensor::retain_grad() {
    checked("retain_grad").retains_grad = true;
    return *this;
}

void Tensor::backward(bool retain_graph, bool create_graph) const {
    const Node& n = checked("backward");
    if (n.value.size() != 1) {
        throw GraphError("backward: tensor " + describe(*this) + " is not a scalar; pass a gradient of shape " +
                         shape_str(n.value.shape()) + ", e.g. t.backward(ones_like(t))");
    }
    backward(ones_like(*this), retain_graph, create_graph);
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
    BackwardEngine engine({*this}, {gradient}, {retain_graph, create_graph, true});
    engine.run();
}

Tensor Tensor::detach() const {
    const Node& n = checked("detach");
    return Tensor(detail::make_leaf(n.value, "constant", n.label, false));
}

const std::string& Tensor::label() const { return checked("label").label; }
Tensor& Tensor::set_label(std::string label) {
    checked("set_label").label = std::move(label);
    return *this;
}
std::uint64_t Tensor::id() const { return checked("id").id; }
const std::string& Tensor::op() const { return checked("op").op; }
const std::string& Tensor::scope() const { return checked("scope").scope; }
const std::string& Tensor::rule() const { return checked("rule").rule; }
const std::vector<std::pair<std::string, std::string>>& Tensor::attrs() const { return checked("attrs").attrs; }

std::vector<Tensor> Tensor::inputs() const {
    const Node& n = checked("inputs");
    std::vector<Tensor> out;
    out.reserve(n.inputs.size());
    for (const auto& p : n.inputs) out.emplace_back(p);
    return out;
}

Tensor parameter(Array value, std::string label) {
    return Tensor(detail::make_leaf(std::move(value), "parameter", std::move(label), true));
}
Tensor constant(Array value, std::string label) {
    return Tensor(detail::make_leaf(std::move(value), "constant", std::move(label), false));
}
Tensor scalar(float v) { return constant(Array(v)); }
Tensor zeros(const Shape& shape) { return constant(Array(Array::shape_type(shape.begin(), shape.end()), 0.f)); }
Tensor ones(const Shape& shape) { return constant(Array(Array::shape_type(shape.begin(), shape.end()), 1.f)); }
Tensor full(const Shape& shape, float v) {
    return constant(Array(Array::shape_type(shape.begin(), shape.end()), v));
}
Tensor zeros_like(const Tensor& t) { return constant(Array(t.shape(), 0.f)); }
Tensor ones_like(const Tensor& t) { return constant(Array(t.shape(), 1.f)); }

}  // namespace xgrad
