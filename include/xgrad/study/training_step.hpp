#pragma once
/// @file training_step.hpp
/// One whole training step, recorded and shown: forward → loss → backward → update, as one
/// sequence of steps, and an offline HTML page to walk through it (timeline of the phases,
/// keyboard and slider, a shareable `#step=K` per step) with pictures of what the numbers mean.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xgrad/optim/optimizer.hpp"
#include "xgrad/study/forward.hpp"
#include "xgrad/study/stepper.hpp"
#include "xgrad/study/update.hpp"

namespace xgrad::study {

/// The phases of a training step, in order.
enum class Phase { Forward, Loss, Backward, Update };
/// "forward", "loss", "backward", "update".
std::string phase_name(Phase phase);

/// A whole training step as records (values copied: it outlives the graph).
struct TrainingStepRecord {
    std::vector<ForwardRecord> forward;  ///< every op from the inputs to the loss, in order
    std::size_t loss_begin = 0;          ///< forward[loss_begin...] compute the loss from the prediction
    std::vector<StepRecord> backward;    ///< the backward pass, one chain-rule step each
    std::shared_ptr<const UpdateStepper> updater;  ///< the optimizer's update, planned (records and worked examples)
    std::vector<std::string> rule;       ///< its update rule, line by line (update_rule)
    std::map<std::uint64_t, Array> gradients;  ///< the final gradients by node id (BackwardStepper::gradients)
    std::vector<std::pair<std::string, std::uint64_t>> parameters;  ///< the optimizer's (name, node id) pairs

    /// The update's records, one rule line per parameter each (empty without an updater).
    const std::vector<UpdateRecord>& update() const;
    /// Steps of the whole sequence (forward + backward + update).
    std::size_t size() const { return forward.size() + backward.size() + update().size(); }
    /// The phase of step `k` (0-based) of the sequence.
    Phase phase(std::size_t k) const;
};

/// Records the step that `loss` (computed from the model output `prediction`) and `optimizer`
/// (with the model's parameters attached) would take: ForwardStepper over the loss (ops after
/// `prediction` make the loss phase), BackwardStepper, and UpdateStepper on the backward pass's
/// gradients. Nothing is modified: no grad(), no weight, no optimizer state.
/// GraphError when `prediction` is not in the loss's graph; the steppers' errors otherwise.
TrainingStepRecord record_training_step(const Tensor& prediction, const Tensor& loss, const optim::Optimizer& optimizer);

/// The tensors the page draws (each may be left undefined; its pictures are then left out).
struct StepFigures {
    Tensor input;    ///< the batch (N, …): the followed sample drawn as an image
    Tensor labels;   ///< one-hot targets (N, classes)
    Tensor probs;    ///< the model's probabilities (N, classes): ten bars against the label
    Tensor kernel;   ///< the first layer's kernel (pixels, units): one unit's incoming weights as an image
    std::size_t image_rows = 28;  ///< how a sample (and a kernel column) is drawn: rows × cols
    std::size_t image_cols = 28;  ///< (rows · cols must be the sample's size)
};

/// Options of write_step_explorer.
struct StepPageOptions {
    std::string title = "xgrad: one training step, forward → loss → backward → update";
    std::size_t sample = 0;        ///< the batch row followed through the step (and drawn)
    std::size_t unit = 0;          ///< the hidden unit whose incoming weights are drawn
    std::size_t max_elements = 12; ///< values with more elements are summarised, never dumped
    std::size_t bins = 16;         ///< bins of each tensor's small histogram
    int precision = 4;             ///< significant digits of printed values
};

/// Writes the step as ONE offline HTML file (styles, script, pictures inline; written to a
/// temporary and renamed). Each step shows its formula with shapes, its tensors summarised
/// (shape, min/max/mean/norm, a histogram) and the followed sample's row; a figure panel shows
/// the pictures that belong to the step: the input digit, the unit's incoming weights, their
/// gradient and their change by the update as 28x28 heat maps, the softmax output as bars
/// against the one-hot label, the gradient norm per parameter. Navigation: Previous/Next,
/// ←/→, PageUp/PageDown (previous/next phase), Home/End, a slider, the phase timeline (click a
/// phase); the URL fragment follows the step (`#step=K`, shareable); `#autokey=N` presses →
/// N times on load (real key events; the headless-browser test uses it).
/// ValueError for an empty record, a sample or unit out of range, or figures whose shapes do
/// not fit (naming them); IoError when writing fails.
void write_step_explorer(const TrainingStepRecord& step, const StepFigures& figures, const std::string& path,
                         const StepPageOptions& options = {});

}  // namespace xgrad::study
