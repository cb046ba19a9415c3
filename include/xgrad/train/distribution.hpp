#pragma once
/// @file distribution.hpp
/// train::Distribution: the extension point for data-parallel training. The engine calls these
/// hooks at fixed places; the default implementation is one process and does nothing, so the
/// single-process path costs one virtual call per step. An MPI implementation (the optional
/// xgrad::dist library) overrides them; the core library never depends on it.
///
/// Contract (every process runs the same fit() with the same data and options):
/// - the engine shuffles with a generator seeded by shuffle_seed(), so all processes see the
///   same permutation of the training samples every epoch;
/// - a global batch is the user's batch_size samples of that permutation; local_batch() picks
///   this process's share, and the local loss is the mean over that share;
/// - every process runs every step's forward and backward, so that collective ops in the model
///   (all_sum, BatchNormalization with `synchronized`) meet on every process: a process whose
///   share is empty runs them on a stand-in sample (the global batch's first), inside a
///   ProcessGroupScope whose `contributes` is false, and with local_count 0 (its gradient
///   counts as zero, its loss and metrics are not logged);
/// - after backward and before the optimizer step, reduce_gradients() must leave on every
///   process the gradient of the mean loss over the whole global batch;
/// - running sums (loss and metric values times sample counts, and the counts) go through
///   reduce_sums() before they are shown, logged in History or returned by evaluate(); in fit
///   every step's values are reduced, so the bar and the callbacks see the global batch, and a
///   stop asked on any process is agreed by all (two small reduce_sums per step);
/// - only the chief prints progress and writes files (save_weights).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "xgrad/ops/collective.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::train {

/// Data-parallel hooks with single-process defaults. Implementations must be collective-safe:
/// every hook is called on every process in the same order (also when a process's share of a
/// batch is empty).
class Distribution {
public:
    virtual ~Distribution() = default;

    /// This process's rank (0 for a single process).
    virtual int rank() const { return 0; }
    /// Number of processes (1 for a single process).
    virtual int world_size() const { return 1; }
    /// True on the process that prints progress and writes files (rank 0).
    bool is_chief() const { return rank() == 0; }

    /// Called once when fit() starts, after the model is built and before the first step, with
    /// every trainable parameter: a data-parallel implementation broadcasts rank 0's values.
    virtual void on_train_begin(const std::vector<Tensor>& /*parameters*/) {}
    /// Called once when fit() ends (also after an early stop or an exception in a step).
    virtual void on_train_end() {}
    /// The seed of this fit's shuffling generator, drawn locally from xgrad::generator(); all
    /// processes must use the same one (return rank 0's).
    virtual std::uint64_t shuffle_seed(std::uint64_t local_seed) { return local_seed; }
    /// This process's share of a global batch: `global_batch` holds sample indices taken from
    /// the epoch's permutation (identical on every process); the result must be a sub-span of it
    /// (possibly empty). The default keeps all of it.
    virtual std::span<const std::size_t> local_batch(std::span<const std::size_t> global_batch) {
        return global_batch;
    }
    /// The processes that collective ops (xgrad::all_sum, BatchNormalization with
    /// `synchronized`) combine over during fit's training steps: fit installs it with a
    /// ProcessGroupScope. nullptr (the default): this process alone, the collectives are identities.
    virtual std::shared_ptr<ProcessGroup> process_group() { return nullptr; }
    /// Runs backward of this process's loss (called instead of loss.backward(), also for a
    /// stand-in step). A data-parallel implementation seeds it with this process's weight
    /// n_r / N, which collective ops need to route cross-process gradients with the right
    /// weights (see xgrad/ops/collective.hpp), and may start reducing the gradients that
    /// backward has finished while it computes the others (overlap).
    virtual void backward(const Tensor& loss) { loss.backward(); }
    /// After backward, before the optimizer step. Each parameter that requires a gradient
    /// holds in grad() what this process's backward() left: the gradient of its mean loss over
    /// its `local_count` samples (zeros when the parameter was not used), or that gradient
    /// already weighted when backward() seeded it; replace it, on every process, by the
    /// gradient of the mean over the `global_count` samples of the global batch:
    /// g = Σ_r (n_r / N) g_r. Parameters without gradient (moving statistics) have none.
    virtual void reduce_gradients(const std::vector<Tensor>& /*parameters*/, std::size_t /*local_count*/,
                                  std::size_t /*global_count*/) {}
    /// Sums `values` element by element over all processes, in place (running sums of loss and
    /// metric values weighted by sample counts, followed by the sample count).
    virtual void reduce_sums(std::vector<double>& /*values*/) {}
    /// At the end of every epoch, before validation and the epoch's callbacks: the parameters
    /// no gradient trains (BatchNormalization's moving statistics), which each process updated
    /// from its own share; a data-parallel implementation replaces them by their mean over the
    /// processes, so every process holds the same model again. Their updates are linear
    /// (moving = m·moving + (1 − m)·batch statistics) and start equal, so the mean once per
    /// epoch equals the mean after every step. Those of a synchronized BatchNormalization are
    /// already equal everywhere, and their mean gives them back (up to float rounding).
    virtual void average_state(const std::vector<Tensor>& /*state*/) {}
};

/// The process-wide distribution used when FitOptions/EvaluateOptions name none (and by
/// save_weights): single-process unless set_distribution() installed another.
Distribution& distribution();
/// Installs `d` process-wide (nullptr restores the single-process default).
void set_distribution(std::shared_ptr<Distribution> d);

}  // namespace xgrad::train
