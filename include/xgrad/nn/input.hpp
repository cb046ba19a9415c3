#pragma once
/// @file input.hpp
/// Symbolic tensors of the functional API: nn::Input creates one, calling a layer on one returns
/// another, and nn::Model(inputs, outputs) turns the graph between them into a model.
///
///     auto a = nn::Input({20}, "a");
///     auto h = nn::Dense(32, "relu")(a);
///     nn::Model model({a}, {nn::Dense(3, "softmax")(h)});
///
/// A symbolic tensor holds no values: its per-sample shape, the layer call that produces it and
/// which of that call's outputs it is (a functional model used as a layer has several: see
/// Module::call_all), and the symbolic tensors the layer was called on. It is immutable and only
/// refers to tensors that existed before it, so the graph a user can draw is always acyclic.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::nn {

class Module;

namespace detail {
/// One node of a functional graph: an Input (no layer) or one call of a layer, with one
/// output per output of the layer (an Input and most layers have one).
struct SymbolicNode {
    std::uint64_t id = 0;                                ///< increasing: creation order
    std::shared_ptr<Module> layer;                       ///< the layer called; null for an Input
    std::vector<std::shared_ptr<SymbolicNode>> inputs;   ///< the calls (or Inputs) it was called on
    std::vector<std::size_t> input_slots;                ///< which output of each of `inputs`
    std::vector<Shape> shapes;                           ///< per-sample shape of each output (no batch axis)
    std::string input_name;                              ///< an Input's name
};
/// A fresh node id.
std::uint64_t next_symbolic_id();
}  // namespace detail

/// A symbolic tensor: the (per-sample) shape and provenance of a value in a functional model.
class SymbolicTensor {
public:
    /// An undefined symbolic tensor.
    SymbolicTensor() = default;
    /// Output `slot` of a node.
    explicit SymbolicTensor(std::shared_ptr<detail::SymbolicNode> node, std::size_t slot = 0)
        : node_(std::move(node)), slot_(slot) {}

    /// True when it refers to a node.
    bool defined() const { return node_ != nullptr; }
    /// The per-sample shape (without the batch axis): (20) for nn::Input({20}).
    const Shape& shape() const;
    /// The Input's name, or the name of the layer that produces it.
    std::string name() const;
    /// True for tensors created by nn::Input.
    bool is_input() const;
    /// The layer that produces it (null for an Input).
    std::shared_ptr<Module> layer() const;
    /// The symbolic tensors the producing layer was called on.
    std::vector<SymbolicTensor> inputs() const;
    /// Which output of the producing call it is: 0, or k for the k-th tensor call_all returned.
    std::size_t slot() const { return slot_; }
    /// How many outputs the producing call has (1 for an Input and a one-output layer).
    std::size_t num_slots() const;
    /// The node (for Model and graph readers).
    const std::shared_ptr<detail::SymbolicNode>& node() const { return node_; }

private:
    std::shared_ptr<detail::SymbolicNode> node_;
    std::size_t slot_ = 0;
};

/// A symbolic model input of per-sample shape `shape` (Keras' `Input(shape=(20,), name="a")`).
/// An empty `name` becomes input_1, input_2, ... ValueError for an empty shape or a 0 extent.
SymbolicTensor Input(Shape shape, std::string name = "");

/// "'a' (None, 20)": a symbolic tensor for messages; "'encoder'[1] (None, 4)" for output 1 of a
/// call with several outputs.
std::string describe_symbolic(const SymbolicTensor& t);

}  // namespace xgrad::nn
