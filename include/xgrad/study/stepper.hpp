#pragma once
/// @file stepper.hpp
/// Backpropagation one chain-rule step at a time: BackwardStepper walks the core's
/// BackwardEngine over a scalar loss and reports, per node, the upstream gradient, the local
/// rule made concrete (with shapes and broadcast axes) and the gradient sent to each input.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/autograd.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::study {

/// A graph node as a step record sees it (values copied, so records outlive the graph).
struct NodeInfo {
    std::uint64_t id = 0;  ///< Tensor::id()
    std::string op;        ///< "matmul", "add", "parameter", ...
    std::string label;     ///< "dense_1/matmul", "w", ...
    std::string scope;     ///< NameScope path ("dense_1"), may be ""
    Shape shape;           ///< the node's value shape
};

/// What one step sent to one input of the node.
struct InputGrad {
    NodeInfo input;            ///< the input tensor
    bool needed = false;       ///< a gradient was computed (the input requires grad); else `grad` is empty
    std::string formula;       ///< the concrete rule for this input, e.g. "dB = Aᵀ · dC : (3x2) = (3x4)·(4x2)"
    Array grad;                ///< this step's contribution dL/d(input) (empty when !needed)
    bool accumulated = false;  ///< added (+=) to a gradient the input already had from another use
};

/// One chain-rule step: dL/d(node) flows through the node's op to its inputs.
struct StepRecord {
    std::size_t index = 0;           ///< 0-based step number in reverse topological order
    std::size_t total = 0;           ///< number of steps of the whole pass
    NodeInfo node;                   ///< the node whose op is differentiated
    std::string rule;                ///< the op's generic rule (Tensor::rule())
    Array upstream;                  ///< dL/d(node), complete when the step runs
    std::vector<InputGrad> inputs;   ///< one entry per op input, in order
};

/// Field-by-field equality (values compared exactly): steps are reproducible.
bool operator==(const StepRecord& a, const StepRecord& b);
/// Equality of node descriptions.
bool operator==(const NodeInfo& a, const NodeInfo& b);

/// The concrete local rule of `node`'s op for input `input`, with the shapes involved and, for
/// broadcasting ops, the axes the gradient is summed over ("db = sum over axis 0 of dC").
/// Ops it does not know fall back to the generic Tensor::rule().
std::string concrete_rule(const Tensor& node, std::size_t input);

/// Options of BackwardStepper.
struct StepperOptions {
    /// Apply this seed instead of 1 (must match the loss's shape; default: ones).
    Tensor seed;
};

/// Steps a backward pass of a loss one node at a time, without touching any grad(): the
/// engine runs with accumulate=false and retain_graph=true, and gradients are read through
/// gradient()/gradients(). Running it to the end gives exactly the gradients of backward().
class BackwardStepper {
public:
    /// Prepares the pass. GraphError when `loss` is undefined, does not require grad, is not a
    /// one-element tensor (without a seed), or its graph was freed by an earlier backward().
    explicit BackwardStepper(Tensor loss, StepperOptions options = {});
    ~BackwardStepper();
    BackwardStepper(const BackwardStepper&) = delete;
    BackwardStepper& operator=(const BackwardStepper&) = delete;

    /// The loss the pass starts from.
    const Tensor& loss() const { return loss_; }
    /// Number of steps of the whole pass (recorded nodes reachable from the loss).
    std::size_t size() const;
    /// Steps done so far (0 at the start, size() at the end).
    std::size_t position() const;
    /// True when every step has run.
    bool done() const { return position() == size(); }
    /// The nodes in the order they are stepped.
    const std::vector<Tensor>& order() const;

    /// Runs the next node's chain-rule step. GraphError when done().
    StepRecord next();
    /// Steps back one: the state becomes that after step position()-2 (recomputed from a fresh
    /// engine) and that step's record is returned, equal to what next() returned for it.
    /// GraphError when position() < 2 (use reset() to return to the start).
    StepRecord previous();
    /// Goes to the state after `steps` steps (0 = the start), re-running from the start when
    /// going back. GraphError when steps > size().
    void seek(std::size_t steps);
    /// Back to the start: only the loss has its seed gradient.
    void reset() { seek(0); }
    /// Runs every remaining step and returns their records.
    std::vector<StepRecord> run_to_end();
    /// Records of the steps done so far, in order.
    const std::vector<StepRecord>& history() const { return history_; }

    /// The gradient known so far for `t` (a plain value, no graph): complete for a node once
    /// every node using it has been stepped, partial before. Undefined when none has arrived.
    Tensor gradient(const Tensor& t) const;
    /// Every gradient known so far, by node id (the loss's seed included). Feeds
    /// viz::DotOptions::gradients.
    std::map<std::uint64_t, Array> gradients() const;
    /// After done(): adds the gradients into the leaves' grad() exactly as backward() would
    /// (+= into existing grads). GraphError before the end.
    void accumulate_into_leaves() const;

private:
    void restart();
    StepRecord advance();

    Tensor loss_;
    Tensor seed_;
    std::unique_ptr<BackwardEngine> engine_;
    std::map<std::uint64_t, std::pair<Tensor, Tensor>> known_;  // id -> (node, gradient so far)
    std::vector<StepRecord> history_;
};

}  // namespace xgrad::study
