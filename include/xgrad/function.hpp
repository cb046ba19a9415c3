#pragma once
/// @file function.hpp
/// User-defined ops: a Function gives an op's forward value, its backward rule (written with the
/// public ops, so create_graph and higher derivatives work) and its name and rule text (shown by
/// diagrams, traces and the study tools). apply() records it like any library op; gradcheck
/// checks it. docs/core.md walks through a complete example (swish with its own backward).
///
///     struct Swish : xgrad::Function {
///         std::string name() const override { return "swish"; }
///         std::string rule() const override { return "d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))"; }
///         xgrad::Array forward(const std::vector<xgrad::Tensor>& in) const override {
///             xgrad::NoGradGuard g;  // compute the value with public ops, nothing recorded
///             return (in[0] * xgrad::sigmoid(in[0])).value();
///         }
///         std::vector<xgrad::Tensor> backward(const xgrad::BackwardContext& c) const override {
///             xgrad::Tensor s = xgrad::sigmoid(c.inputs[0]);
///             return {c.grad * s * (1.f + c.inputs[0] * (1.f - s))};
///         }
///     };
///     xgrad::Tensor y = xgrad::apply(std::make_shared<Swish>(), {x});

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/graph.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad {

/// An op defined outside the library. Subclasses give the value and the gradients; apply()
/// records the op (inputs, value, backward, name, rule) on the graph.
class Function {
public:
    virtual ~Function() = default;

    /// The op's name in diagrams, traces and errors ("swish").
    virtual std::string name() const = 0;
    /// The local derivative rule as readable text (shown by diagrams and the study tools).
    virtual std::string rule() const { return ""; }
    /// Attributes shown on diagrams, as (key, value) text pairs.
    virtual std::vector<std::pair<std::string, std::string>> attrs() const { return {}; }
    /// The op's value from its inputs (read their value(); ops used here are not recorded by
    /// apply(), which runs it under NoGradGuard).
    virtual Array forward(const std::vector<Tensor>& inputs) const = 0;
    /// One gradient per input from c.grad = dL/d(output), written with the public ops (so the
    /// backward pass is itself a graph with create_graph). Return an undefined Tensor where
    /// c.needs[i] is false. Each gradient must have its input's shape.
    virtual std::vector<Tensor> backward(const BackwardContext& c) const = 0;
};

/// Runs `f` on `inputs` and records it: the result requires grad when an input does, and its
/// backward calls f->backward (checked: one gradient per input, each of its input's shape, else
/// GraphError naming the op). ValueError for a null function or an undefined input.
Tensor apply(std::shared_ptr<const Function> f, std::vector<Tensor> inputs);

}  // namespace xgrad
