#pragma once
/// @file update.hpp
/// The optimizer's update as steps: for every parameter, each line of the update rule
/// (RMSprop: `v ← ρ·v + (1−ρ)·g²`, then `w ← w − lr·g/(√v + ε)`) applied to the whole tensor,
/// with its values before and after, and one element's numbers worked out.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "xgrad/optim/optimizer.hpp"
#include "xgrad/study/stepper.hpp"

namespace xgrad::study {

/// One line of an update rule applied to one parameter.
struct UpdateRecord {
    std::size_t index = 0;    ///< 0-based step number
    std::size_t total = 0;    ///< number of steps of the whole update
    std::string param;        ///< the optimizer's name of the parameter ("dense_1.kernel")
    NodeInfo node;            ///< the parameter tensor
    std::string quantity;     ///< what the line writes: "w", or a state slot ("v", "m", "u", "mg")
    std::string formula;      ///< the line with its constants: "v ← ρ·v + (1−ρ)·g² : (784x512), ρ = 0.9"
    Array grad;               ///< g = dL/dw
    Array before;             ///< the quantity before the line
    Array after;              ///< the quantity after it (the optimizer's own recorded step's value)
    /// The ops of Optimizer::record_step() that compute this line, in order: their labels (the
    /// formula of the line's last op) and forward formulas with shapes.
    std::vector<std::string> ops;
};

/// The lines of `optimizer`'s update rule with its hyperparameters, in the order they run,
/// read from the optimizer's own options (RMSprop with momentum/centered/ε placement, SGD with
/// momentum/Nesterov, Adam). ValueError for another optimizer, naming it.
std::vector<std::string> update_rule(const optim::Optimizer& optimizer);

/// One optimizer step taken apart. The plan covers the optimizer's attached parameters
/// (Optimizer::parameters()) that have a gradient, in order, one record per rule line. The
/// gradients are `gradients` (by node id, e.g. BackwardStepper::gradients()) or, where that
/// has none for a parameter, its grad(). The state before the step (v, m, ...) is the
/// optimizer's state(): zeros on its first step. The values after each line are those of the
/// optimizer's own recorded step (Optimizer::record_step, run on a clone attached to copies of
/// the parameters), whose ops each record lists; worked_example evaluates the same lines for one
/// element in float. After the last step the values equal what Optimizer::step() computes.
/// Nothing is modified.
class UpdateStepper {
public:
    /// Plans the step. ValueError for an optimizer without a step description (see
    /// update_rule) or one with no parameter attached; ShapeError when a gradient's shape
    /// differs from its parameter's.
    explicit UpdateStepper(const optim::Optimizer& optimizer, const std::map<std::uint64_t, Array>& gradients = {});

    /// Number of steps (rule lines × parameters with a gradient).
    std::size_t size() const { return records_.size(); }
    /// Steps done so far.
    std::size_t position() const { return position_; }
    /// True when every step has run.
    bool done() const { return position_ == records_.size(); }
    /// The next step's record. GraphError when done().
    UpdateRecord next();
    /// Steps back one; returns the record of the step now last done. GraphError when position() < 2.
    UpdateRecord previous();
    /// Goes to the state after `steps` steps. GraphError when steps > size().
    void seek(std::size_t steps);
    /// Back to the start.
    void reset() { seek(0); }
    /// Runs every remaining step and returns their records.
    std::vector<UpdateRecord> run_to_end();
    /// Every record, without moving.
    const std::vector<UpdateRecord>& records() const { return records_; }

    /// The parameter's value after the whole step (what Optimizer::step() writes).
    /// ValueError for a name the plan does not cover, listing the names.
    const Array& updated(const std::string& param) const;
    /// The parameters the plan covers, in order.
    std::vector<std::string> parameters() const;
    /// One element of parameter `param` through every line, numbers substituted, e.g.
    ///   v ← ρ·v + (1−ρ)·g² = 0.9·0 + 0.1·(-0.001987)² = 3.95e-07
    ///   w ← w − lr·g/(√v + ε) = 0.3051 − 0.001·(-0.001987)/(√3.95e-07 + 1e-07) = 0.3082
    /// ValueError for an unknown name, ShapeError for an index outside the parameter.
    std::string worked_example(const std::string& param, const std::vector<std::size_t>& index) const;

    /// The optimizer's name ("rmsprop", ...).
    const std::string& optimizer() const { return optimizer_name_; }

    ~UpdateStepper();
    UpdateStepper(UpdateStepper&&) noexcept;
    UpdateStepper& operator=(UpdateStepper&&) noexcept;

    /// One rule line as code: how it computes its quantity for one element (internal).
    struct Line;

private:
    void use_recorded_step(const optim::Optimizer& optimizer, const std::map<std::uint64_t, Array>& gradients);

    std::string optimizer_name_;
    std::vector<Line> lines_;
    std::vector<UpdateRecord> records_;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> per_param_;  // name -> its record indices
    std::size_t position_ = 0;
};

}  // namespace xgrad::study
