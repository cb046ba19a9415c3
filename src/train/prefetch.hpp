#pragma once
// Private to fit(): gathers the next batch's rows on a background thread while the current
// step computes.

#include <condition_variable>
#include <exception>
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
/// them took ~5% of an MNIST step on one thread, waiting on memory. The prefetcher copies batch
/// k+1 on its own thread during step k, on the core that one-thread training leaves idle (next
/// to the threads of a product it stalled the product: fit starts it only when a core is idle).
/// Only plain arrays cross threads: the
/// tensors are made by the caller. One job at a time; an exception in the copy is rethrown by
/// take().
class BatchPrefetcher {
public:
    BatchPrefetcher(const ArrayRefs& x, const ArrayRefs& y);
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    /// Starts copying rows `idx` (after any job still running has finished).
    void start(std::vector<std::size_t> idx);
    /// The rows of the last start(): x arrays, then y arrays. Waits for the copy.
    std::pair<std::vector<Array>, std::vector<Array>> take();

private:
    void run();

    const ArrayRefs x_, y_;
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::size_t> idx_;
    std::vector<Array> bx_, by_;
    std::exception_ptr error_;
    bool job_ = false, done_ = false, quit_ = false;
    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace xgrad::train::impl
