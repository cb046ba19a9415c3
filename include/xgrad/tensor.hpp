#pragma once
/// @file tensor.hpp
/// The Tensor handle, the graph node behind it, leaf factories and the RAII guards that
/// control recording (NoGradGuard), naming (NameScope) and NaN checks (AnomalyGuard).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/error.hpp"
#include "xgrad/xt.hpp"

namespace xgrad {

class Tensor;
struct Node;

/// What an op's backward closure receives: the gradient of the op's output, the op's
/// inputs and its output, and which inputs need a gradient at all.
struct BackwardContext {
    const Tensor& grad;                 ///< dL/d(output), same shape as the output
    const std::vector<Tensor>& inputs;  ///< the op's inputs, in order
    const Tensor& output;               ///< the op's output (its value is saved)
    const std::vector<bool>& needs;     ///< needs[i]: input i requires a gradient
};

/// An op's backward rule: returns one gradient per input (an undefined Tensor where
/// `needs[i]` is false). Written with the public ops, so it can itself be recorded.
using BackwardFn = std::function<std::vector<Tensor>(const BackwardContext&)>;

/// One node of the computation graph. Users normally go through Tensor; viz and study read
/// nodes through Tensor's accessors.
struct Node {
    std::uint64_t id = 0;               ///< increasing and unique: deterministic diagrams
    std::string op;                     ///< "parameter", "constant", "add", "matmul", ...
    std::string label;                  ///< user label, or scope/op for recorded nodes
    std::string scope;                  ///< NameScope path at creation ("dense_1"), may be ""
    std::string rule;                   ///< the local derivative rule, as text
    std::vector<std::pair<std::string, std::string>> attrs;  ///< op attributes (axis, ...)
    Array value;
    bool requires_grad = false;
    bool is_leaf = true;
    bool retains_grad = false;
    bool released = false;              ///< backward ran without retain_graph
    std::vector<std::shared_ptr<Node>> inputs;
    BackwardFn backward;
    std::shared_ptr<Node> grad;         ///< accumulated gradient (leaves, retain_grad)

    Node() = default;
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    /// Tears down the chain of inputs iteratively: a 1,000,000-node chain must not recurse.
    ~Node();
};

/// A cheap, copyable handle to a graph node. Copies share the node.
class Tensor {
public:
    /// An undefined tensor (no node). Most accessors throw GraphError on it.
    Tensor() = default;
    /// Wraps an existing node.
    explicit Tensor(std::shared_ptr<Node> node) : node_(std::move(node)) {}

    /// True when the handle points at a node.
    bool defined() const { return node_ != nullptr; }
    explicit operator bool() const { return defined(); }

    /// The value, computed when the op ran.
    const Array& value() const;
    /// Mutable access to the value, for in-place updates (optimizers) under NoGradGuard.
    Array& data();
    /// The shape of the value.
    const Array::shape_type& shape() const;
    /// The shape as a Shape (std::vector<std::size_t>).
    Shape shape_vector() const;
    /// Number of elements.
    std::size_t size() const;
    /// Number of dimensions.
    std::size_t ndim() const;
    /// The single element of a one-element tensor; GraphError names the shape otherwise.
    float item() const;

    /// True when gradients flow to this tensor.
    bool requires_grad() const;
    /// Turns gradient tracking on or off for a leaf (GraphError on a recorded node).
    Tensor& set_requires_grad(bool on);
    /// True for parameters, constants and detached tensors (no recorded op).
    bool is_leaf() const;
    /// The accumulated gradient; an undefined Tensor when none exists (check defined()).
    Tensor grad() const;
    /// Sets or clears (with an undefined Tensor) the stored gradient.
    void set_grad(const Tensor& g);
    /// Clears the stored gradient.
    void zero_grad();
    /// Keeps this non-leaf tensor's gradient after backward().
    Tensor& retain_grad();

    /// Backpropagates from a one-element tensor (seed 1).
    void backward(bool retain_graph = false, bool create_graph = false) const;
    /// Backpropagates with an explicit seed gradient of this tensor's shape.
    void backward(const Tensor& gradient, bool retain_graph = false, bool create_graph = false) const;

    /// A new leaf sharing no graph with this one (the value is copied).
    Tensor detach() const;

    /// @name In-place updates (PyTorch's vocabulary)
    /// Each is one vectorised pass over this tensor's value and returns *this, so updates chain:
    /// `w.addcdiv_(g, sqrt(v).add_(eps), -lr)`. Operands broadcast to this tensor's shape (it
    /// never changes). Allowed on leaves under NoGradGuard (how optimizers update parameters
    /// and state); GraphError naming the op and the tensor otherwise, ShapeError when an
    /// operand does not broadcast. Inside RecordInPlaceGuard with recording on, the update is
    /// recorded instead: `t.add_(x)` becomes `t = add(t, x)` for this handle (other handles
    /// keep the old value), so an optimizer step can be drawn and stepped like any graph.
    /// @{
    Tensor& add_(const Tensor& x, float alpha = 1.f);          ///< t ← t + alpha·x
    Tensor& add_(float s);                                     ///< t ← t + s
    Tensor& sub_(const Tensor& x, float alpha = 1.f);          ///< t ← t − alpha·x
    Tensor& mul_(const Tensor& x);                             ///< t ← t·x
    Tensor& mul_(float s);                                     ///< t ← t·s
    Tensor& div_(const Tensor& x);                             ///< t ← t/x
    Tensor& div_(float s);                                     ///< t ← t/s
    /// t ← beta·t + value·a·b: with beta (PyTorch's addmm name for the scale of self) a moving
    /// average `v ← ρ·v + (1−ρ)·g²` is one pass, `v.addcmul_(g, g, 1 - rho, rho)`.
    Tensor& addcmul_(const Tensor& a, const Tensor& b, float value = 1.f, float beta = 1.f);
    Tensor& addcdiv_(const Tensor& a, const Tensor& b, float value = 1.f);  ///< t ← t + value·a/b
    Tensor& maximum_(const Tensor& x);                         ///< t ← max(t, x)
    Tensor& sqrt_();                                           ///< t ← √t
    Tensor& copy_(const Tensor& x);                            ///< t ← x
    Tensor& fill_(float v);                                    ///< t ← v everywhere
    Tensor& zero_();                                           ///< t ← 0
    /// @}

    /// The label (user label, or "scope/op" for recorded nodes).
    const std::string& label() const;
    /// Sets the label; returns *this for chaining.
    Tensor& set_label(std::string label);
    /// The node's id: increasing in creation order, unique in the process.
    std::uint64_t id() const;
    /// The op that produced this tensor ("parameter" and "constant" for leaves).
    const std::string& op() const;
    /// The name scope this node was created in ("" outside any scope).
    const std::string& scope() const;
    /// The local derivative rule of the op, as readable text.
    const std::string& rule() const;
    /// Op attributes such as the reduced axes, as (key, value) text pairs.
    const std::vector<std::pair<std::string, std::string>>& attrs() const;
    /// The inputs of the op that produced this tensor.
    std::vector<Tensor> inputs() const;

    /// The underlying node (for graph readers such as viz and study).
    const std::shared_ptr<Node>& node() const { return node_; }

private:
    const Node& checked(const char* what) const;
    Node& checked(const char* what);
    std::shared_ptr<Node> node_;
};

/// A leaf that requires grad: a trainable parameter.
Tensor parameter(Array value, std::string label = "");
/// A leaf that never requires grad: inputs, targets and constants.
Tensor constant(Array value, std::string label = "");
/// A 0-d constant holding `v`.
Tensor scalar(float v);
/// A constant of zeros.
Tensor zeros(const Shape& shape);
/// A constant of ones.
Tensor ones(const Shape& shape);
/// A constant filled with `v`.
Tensor full(const Shape& shape, float v);
/// Zeros shaped like `t` (a constant).
Tensor zeros_like(const Tensor& t);
/// Ones shaped like `t` (a constant).
Tensor ones_like(const Tensor& t);

/// True while gradient recording is on in this thread (off inside NoGradGuard).
bool grad_enabled();

/// RAII: ops record nothing while it lives (values are computed, no nodes are linked).
class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

/// RAII: ops record again while it lives, even inside a NoGradGuard (PyTorch's enable_grad).
/// For code that must see the graph whatever its caller chose, such as the ONNX exporter's
/// trace of a module's forward.
class EnableGradGuard {
public:
    EnableGradGuard();
    ~EnableGradGuard();
    EnableGradGuard(const EnableGradGuard&) = delete;
    EnableGradGuard& operator=(const EnableGradGuard&) = delete;

private:
    bool previous_;
};

/// RAII: while it lives and gradients are recorded, in-place ops (Tensor::add_ and friends) are
/// recorded as new nodes and move the handle they are called on to the result; no value is
/// changed. Under NoGradGuard they update leaves in place as usual.
/// optim::Optimizer::record_step uses it to record an update as a graph.
class RecordInPlaceGuard {
public:
    RecordInPlaceGuard();
    ~RecordInPlaceGuard();
    RecordInPlaceGuard(const RecordInPlaceGuard&) = delete;
    RecordInPlaceGuard& operator=(const RecordInPlaceGuard&) = delete;

    /// True while a guard lives in this thread.
    static bool enabled();

private:
    bool previous_;
};

/// RAII: nodes created while it lives get `name/` prefixed to their scope and label
/// (`dense_1/matmul`). Scopes nest.
class NameScope {
public:
    explicit NameScope(const std::string& name);
    ~NameScope();
    NameScope(const NameScope&) = delete;
    NameScope& operator=(const NameScope&) = delete;

    /// The current scope path ("" outside any scope).
    static const std::string& current();

private:
    std::string previous_;
};

/// RAII: while it lives every op checks its result for NaN/Inf and throws ValueError
/// naming the first op (and its label) that produced one.
class AnomalyGuard {
public:
    explicit AnomalyGuard(bool on = true);
    ~AnomalyGuard();
    AnomalyGuard(const AnomalyGuard&) = delete;
    AnomalyGuard& operator=(const AnomalyGuard&) = delete;

    /// True while anomaly detection is on in this thread.
    static bool enabled();

private:
    bool previous_;
};

}  // namespace xgrad
