#pragma once
/// @file autograd.hpp
/// The backward engine: reverse topological order (explicit stack), gradient accumulation,
/// xgrad::grad for higher-order derivatives, and a step-by-step interface for study tools.

#include <cstddef>
#include <unordered_map>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// How a backward pass treats the graph.
struct EngineOptions {
    bool retain_graph = false;  ///< keep the graph usable for another backward
    bool create_graph = false;  ///< record the backward ops, so gradients are differentiable
    bool accumulate = true;     ///< add gradients into leaves' grad(); off for xgrad::grad
};

/// One chain-rule step: the op of `node` maps its upstream gradient to its inputs' gradients.
struct BackwardStep {
    Tensor node;                       ///< the tensor whose op was differentiated
    Tensor grad_output;                ///< dL/d(node), complete when the step ran
    std::vector<Tensor> input_grads;   ///< this step's contribution to each input (may be undefined)
    std::vector<bool> accumulated;     ///< input i already had a gradient: this one was added (+=)
};

/// Runs a backward pass one node at a time. Tensor::backward and xgrad::grad are built on it;
/// study::BackwardStepper walks it step by step.
class BackwardEngine {
public:
    /// Prepares a pass from `roots` seeded with `seeds` (one per root, same shapes).
    BackwardEngine(std::vector<Tensor> roots, std::vector<Tensor> seeds, EngineOptions options = {});

    /// The recorded (non-leaf) nodes that will be differentiated, in execution order.
    const std::vector<Tensor>& order() const { return order_; }
    /// Number of steps already run.
    std::size_t position() const { return position_; }
    /// True when every step has run.
    bool done() const { return position_ == order_.size(); }
    /// Runs the next step and returns what it did.
    BackwardStep step();
    /// Runs all remaining steps.
    void run();
    /// The gradient gathered so far for `t` (undefined when none): complete for a node once
    /// every node that uses it has been stepped.
    Tensor gradient(const Tensor& t) const;

private:
    void add_gradient(Node* target, const Tensor& g, bool* had_one);
    void finish();

    EngineOptions options_;
    std::vector<Tensor> order_;
    std::unordered_map<const Node*, Tensor> pending_;
    std::size_t position_ = 0;
};

/// Options of xgrad::grad.
struct GradOptions {
    bool retain_graph = false;         ///< keep the graph for another pass
    bool create_graph = false;         ///< record the gradient computation (higher order)
    bool allow_unused = false;         ///< an input the outputs do not depend on gives an undefined Tensor
    std::vector<Tensor> grad_outputs;  ///< seeds, one per output (default: ones for one-element outputs)
};

/// d(sum of outputs)/d(inputs), one Tensor per input, without touching any grad().
/// With create_graph the results are themselves differentiable.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});

}  // namespace xgrad
