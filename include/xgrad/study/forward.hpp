#pragma once
/// @file forward.hpp
/// The forward pass one op at a time: ForwardStepper walks the recorded graph behind a tensor
/// in creation order (a topological order) and reports, per op, its formula with the shapes,
/// its inputs' values and its output's value.

#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/study/stepper.hpp"

namespace xgrad::study {

/// One input of a forward step, with the value the op read.
struct ForwardInput {
    NodeInfo input;  ///< the input tensor
    Array value;     ///< its value
};

/// One forward step: a recorded op computing its output from its inputs.
struct ForwardRecord {
    std::size_t index = 0;             ///< 0-based step number (creation order)
    std::size_t total = 0;             ///< number of steps of the whole pass
    NodeInfo node;                     ///< the op's output tensor
    std::string formula;               ///< forward_formula(): "C = A·B : (128x784)·(784x512) → (128x512)"
    std::string layer_formula;         ///< layer_formula(): "z = x·W + b : ..." for a Dense layer's add, else ""
    std::vector<ForwardInput> inputs;  ///< one entry per op input, in order
    Array value;                       ///< the output's value
};

/// The op's forward formula with the shapes of this node: A, B for matrix operands, a, b for
/// elementwise ones, C for the output, e.g. `C = A·B : (128x784)·(784x512) → (128x512)`,
/// `C = a + b : (128x512) + (512) → (128x512), b broadcast over axis 0`,
/// `C = max(a, 0) : (128x512)`, `C = exp(a) / Σ_row exp(a) : (128x10)`. Ops it does not know
/// read `C = <op>(a, b, ...)` with the shapes. GraphError for a leaf or undefined tensor.
std::string forward_formula(const Tensor& node);

/// For `add(matmul(x, W), b)` (a Dense layer before its activation) the whole affine map:
/// `z = x·W + b : (128x784)·(784x512) + (512) → (128x512)`; "" for every other node.
std::string layer_formula(const Tensor& node);

/// Steps the forward pass behind `root` (often the loss) one recorded op at a time. The values
/// are those computed when the graph was recorded (define-by-run), shown in the order the ops
/// ran; nothing is recomputed or modified. Leaves (parameters, constants) are inputs, not steps.
class ForwardStepper {
public:
    /// Collects the ops behind `root`. GraphError when `root` is undefined or is a leaf.
    explicit ForwardStepper(Tensor root);

    /// The tensor the pass ends at.
    const Tensor& root() const { return root_; }
    /// Number of steps (recorded ops behind the root, the root included).
    std::size_t size() const { return order_.size(); }
    /// Steps done so far.
    std::size_t position() const { return position_; }
    /// True when every step has run.
    bool done() const { return position_ == order_.size(); }
    /// The op nodes in the order they are stepped (increasing id).
    const std::vector<Tensor>& order() const { return order_; }

    /// The next op's step. GraphError when done().
    ForwardRecord next();
    /// Steps back one and returns the record of the step now last done (equal to what next()
    /// returned for it). GraphError when position() < 2.
    ForwardRecord previous();
    /// Goes to the state after `steps` steps. GraphError when steps > size().
    void seek(std::size_t steps);
    /// Back to the start.
    void reset() { seek(0); }
    /// Runs every remaining step and returns their records.
    std::vector<ForwardRecord> run_to_end();
    /// The record of step `index` (0-based) without moving. GraphError past the end.
    ForwardRecord record(std::size_t index) const;

private:
    Tensor root_;
    std::vector<Tensor> order_;
    std::size_t position_ = 0;
};

}  // namespace xgrad::study
