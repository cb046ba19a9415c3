#pragma once
// Private to fit(): copies the next batch's rows while the current step computes.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "train/engine_impl.hpp"

namespace xgrad::train::impl {

/// Rows idx of `src` (row-major) as a new array (idx.size(), src.shape[1:]...).
Array gather_rows(const Array& src, std::span<const std::size_t> idx);
/// gather_rows of each array.
std::vector<Array> gather_rows_of(const ArrayRefs& arrays, std::span<const std::size_t> idx);

/// A shuffled batch is 128 rows scattered over a data set far larger than the caches: copying
/// them took ~5% of an MNIST step on one thread, waiting on memory. The prefetcher copies the
/// rows of batch k+1, one row per item, during step k, in one of two ways:
/// - on its own thread, when training leaves a core idle (one thread on two cores);
/// - otherwise in the moments xgrad's workers have no task (detail::IdleWork). The serial parts
///   of a step (the loss, the small products, the graph's bookkeeping) leave the other core
///   waiting; a third thread copying next to the products' threads slowed every product it
///   overlapped, also in small pieces that yielded the core.
/// take() copies whatever rows are left (split between threads) and returns the batch.
/// Only plain arrays cross threads: the tensors are made by the caller. The copies cannot
/// throw (the arrays are allocated by start()).
class BatchPrefetcher {
public:
    BatchPrefetcher(const ArrayRefs& x, const ArrayRefs& y);
    /// Stops any copy in progress: no thread reads the sources after it returns.
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    /// Starts copying rows `idx` (a batch nobody took is dropped): on the prefetcher's own thread
    /// when `own_thread`, else by the pool's idle workers.
    void start(std::vector<std::size_t> idx, bool own_thread);
    /// The rows of the last start(): x arrays, then y arrays. Copies the rows not copied yet.
    std::pair<std::vector<Array>, std::vector<Array>> take();
    /// Rows of the last start() copied before take() (for tests and benchmarks).
    std::size_t copied_ahead() const { return copied_ahead_; }

private:
    struct Job;
    void run();

    const ArrayRefs x_, y_;
    std::shared_ptr<Job> job_;
    std::size_t copied_ahead_ = 0;
    // The own thread, started on the first job that asks for it.
    std::mutex m_;
    std::condition_variable cv_;
    std::shared_ptr<Job> thread_job_;  // guarded by m_
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace xgrad::train::impl
