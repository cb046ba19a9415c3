#pragma once
/// @file data_parallel.hpp
/// dist::DataParallel: the MPI implementation of train::Distribution (Horovod's and PyTorch
/// DDP's data-parallel SGD). dist::init() installs one with default options when the job has
/// more than one process, so `mpirun -np N prog` trains data-parallel with no other change.
///
/// Every rank runs the same fit() on the same data. At the start, rank 0's weights and
/// shuffling seed are broadcast. Each global batch (the user's batch_size samples of the
/// epoch's permutation, identical everywhere) is split into N contiguous shares that differ by
/// at most one sample; rank r trains on share r. After backward, the gradients are summed over
/// the ranks as g = Σ_r (n_r / N_batch) g_r, the gradient of the mean loss over the whole global
/// batch, in buckets of about bucket_bytes; with overlap a bucket's allreduce starts while
/// backward still computes earlier layers. The weight n_r / N seeds rank r's backward, so that
/// gradients which cross ranks inside the model (BatchNormalization with `synchronized`, whose
/// statistics are those of the global batch through xgrad::all_sum) are weighted right too.
/// Every rank then takes the same optimizer step, so the weights stay bit-identical. Loss and
/// metric sums are summed over the ranks. Moving statistics of an ordinary BatchNormalization,
/// which each rank updates from its own share, are averaged over the ranks at the end of every
/// epoch (as Keras' MirroredStrategy aggregates them); a synchronized one's agree already.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "xgrad/train/distribution.hpp"

namespace xgrad::dist {

/// Options of DataParallel. The environment can override both for a run without rebuilding:
/// XGRAD_DIST_BUCKET_BYTES and XGRAD_DIST_OVERLAP (0 or 1).
struct DataParallelOptions {
    /// Target size of one gradient allreduce. Parameters are never split, so a bucket holds at
    /// least one parameter whatever its size. Smaller buckets start earlier (more overlap) but
    /// pay the per-call latency more often.
    std::size_t bucket_bytes = std::size_t(1) << 20;
    /// Start each bucket's allreduce (MPI_Iallreduce) as soon as backward has finished its
    /// gradients, instead of reducing every bucket after backward. Off by default: measured on
    /// the MNIST MLP over shared memory it costs more than it hides (docs/distributed.md): the
    /// copies run on the cores backward needs, MPI only progresses inside MPI calls, and 99% of
    /// the MLP's bytes belong to the gradient backward finishes last. It can pay on a network
    /// whose NIC moves the data while the cores compute, for models whose late layers are large.
    bool overlap = false;
    /// Print one line of communication figures on rank 0 when fit ends (XGRAD_DIST_REPORT=1).
    bool report = false;
};

/// What the gradient allreduce cost, summed since the last fit started.
struct ReduceStats {
    std::size_t steps = 0;       ///< optimizer steps
    std::size_t buckets = 0;     ///< allreduce calls per step
    std::size_t floats = 0;      ///< floats reduced per step (the trained parameters' count: moving statistics excepted)
    double comm_seconds = 0;     ///< time blocked in MPI (waiting for the allreduce)
    double step_seconds = 0;     ///< time from this rank's share chosen to gradients reduced (fwd + bwd + allreduce)
};

/// Data-parallel training over the processes of the MPI job.
class DataParallel : public train::Distribution {
public:
    /// Options are read once; the environment variables above override them.
    explicit DataParallel(DataParallelOptions options = {});
    ~DataParallel() override;

    int rank() const override;
    int world_size() const override;
    /// Broadcasts rank 0's parameter values (ValueError on every rank when the models differ)
    /// and lays out the gradient buckets. Until on_train_end, rank r > 0 draws random numbers
    /// (dropout's masks) from a stream of its own, so the shares of a global batch get
    /// independent masks as in one process, not rank 0's mask on every share.
    void on_train_begin(const std::vector<Tensor>& parameters) override;
    /// Puts every rank's generator back on the state fit began with, one draw further (the
    /// shuffling seed), and prints the report line when asked to.
    void on_train_end() override;
    /// Rank 0's seed.
    std::uint64_t shuffle_seed(std::uint64_t local_seed) override;
    /// Share r of N contiguous shares of `global_batch` (sizes differ by at most one).
    std::span<const std::size_t> local_batch(std::span<const std::size_t> global_batch) override;
    /// dist::process_group(): fit's collective ops reach every rank.
    std::shared_ptr<ProcessGroup> process_group() override;
    /// Backward of this rank's loss seeded with n_r / N; with overlap, buckets start as their
    /// gradients complete.
    void backward(const Tensor& loss) override;
    /// Completes the allreduce: every parameter's grad() becomes Σ_r (n_r / N) g_r (the weights
    /// applied by backward's seed, or here for gradients from a backward of the user's own).
    void reduce_gradients(const std::vector<Tensor>& parameters, std::size_t local_count,
                          std::size_t global_count) override;
    /// Sums over the ranks, in place.
    void reduce_sums(std::vector<double>& values) override;
    /// Replaces each state tensor (moving statistics) by its mean over the ranks, in place.
    void average_state(const std::vector<Tensor>& state) override;

    /// The options in effect (after the environment).
    const DataParallelOptions& options() const { return options_; }
    /// The allreduce figures of the current or last fit.
    ReduceStats stats() const;

private:
    struct Impl;
    // Checks that the model is the same everywhere, broadcasts rank 0's values, lays out the
    // buckets (on_train_begin, or the first reduce_gradients of a user's own loop).
    void prepare(const std::vector<Tensor>& parameters);
    DataParallelOptions options_;
    std::unique_ptr<Impl> impl_;
    ReduceStats last_;  // stats of the last fit, kept after its buckets are gone
};

}  // namespace xgrad::dist
