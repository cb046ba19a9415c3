#pragma once
// Private to xgrad::dist: the gradient allreduce of data-parallel training, in buckets.
//
// Parameters are grouped, last to first (the order backward finishes them), into buckets of
// about `bucket_bytes`; each bucket is one flat buffer and one allreduce. With overlap, a
// bucket's non-blocking allreduce starts as soon as backward has finished every gradient in it
// and runs while backward computes the earlier layers (PyTorch DDP's scheme); without, every
// bucket is reduced after backward, blocking.
//
// Each rank's gradient counts with weight = n_local / n_global (its share of the global
// batch), so the sum over ranks is the gradient of the mean loss over the whole global batch,
// even when the ranks' shares differ by one sample. backward() applies the weight to the seed
// of backward, not to the finished gradient: gradients that cross ranks inside the model
// (all_sum's backward, synchronized BatchNormalization) then carry each rank's own weight, and
// the packed gradients are summed as they are (derivation: src/ops/collective.cpp). A step
// whose gradients came from a backward of its own (a user's loop) is weighted when packed.

#include <mpi.h>

#include <cstddef>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::dist::detail {

/// Counters since construction (or reset_stats).
struct BucketStats {
    std::size_t steps = 0;       ///< finish() calls
    double comm_seconds = 0;     ///< time blocked in MPI (blocking allreduce, or waiting at finish)
    double step_seconds = 0;     ///< time from begin() to the end of finish()
    std::size_t floats = 0;      ///< floats reduced per step (every bucket)
};

class GradBuckets {
public:
    /// Buckets for `params` (the order of Module::parameters()).
    GradBuckets(std::vector<Tensor> params, std::size_t bucket_bytes, bool overlap, MPI_Comm comm);
    ~GradBuckets();
    GradBuckets(const GradBuckets&) = delete;
    GradBuckets& operator=(const GradBuckets&) = delete;

    /// Starts a step in which this rank's gradients count with `weight` (n_local / n_global;
    /// 0: none, whatever they hold); `started` (MPI_Wtime) is when the step began, for
    /// stats().step_seconds.
    void begin(float weight, double started);
    /// Backward of `loss` seeded with the weight, calling ready() as each parameter's gradient
    /// completes (overlap). Nothing when the loss is undefined.
    void backward(const Tensor& loss);
    /// Parameter `index`'s gradient is final: packs it; starts its bucket when complete (overlap).
    void ready(std::size_t index);
    /// Packs what is left (parameters without a gradient count as zeros), completes every
    /// bucket and writes the reduced gradient into every parameter's grad().
    void finish();

    std::size_t bucket_count() const { return buckets_.size(); }
    /// Parameter indices of bucket `b`, in packing order.
    const std::vector<std::size_t>& bucket(std::size_t b) const { return buckets_[b].params; }
    const BucketStats& stats() const { return stats_; }
    void reset_stats() { stats_ = {}; }

private:
    struct Bucket {
        std::vector<std::size_t> params;   // parameter indices
        std::vector<std::size_t> offsets;  // start of each in `buffer`
        std::vector<float> buffer;
        std::size_t pending = 0;           // parameters not yet packed this step
        MPI_Request request = MPI_REQUEST_NULL;
        bool started = false;
    };
    void pack(std::size_t index);
    void start_ready();  // starts complete buckets, in index order
    void progress();

    std::vector<Tensor> params_;
    std::vector<std::size_t> bucket_of_;   // parameter -> bucket
    std::vector<std::size_t> slot_of_;     // parameter -> position in its bucket
    std::vector<bool> packed_;
    std::vector<Bucket> buckets_;
    bool overlap_;
    MPI_Comm comm_;
    std::size_t next_start_ = 0;           // first bucket not started
    float weight_ = 1.f;
    bool seeded_ = false;                  // backward() applied weight_ already
    double step_start_ = 0;
    BucketStats stats_;
};

}  // namespace xgrad::dist::detail
