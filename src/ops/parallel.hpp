#pragma once
// Private: splits large elementwise kernels between threads.

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace xgrad::detail {

/// Elements below which a kernel runs in the calling thread: waking a worker costs a few
/// microseconds, which 32k floats (LibTorch's grain size too) already take to stream.
inline constexpr std::size_t kParallelGrain = 32768;

/// Calls `fn(ctx, begin, end)` over [0, n) in contiguous ranges, on up to active_threads()
/// threads (the caller is one of them) when n >= 2·kParallelGrain; inline otherwise, or when
/// another thread is already using the workers. Idle workers poll for 50 us (yielding the
/// core), then sleep on a condition variable. Returns after every range is done.
/// Range ends are multiples of `align` (16 floats: no two threads write one cache line).
void parallel_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx,
                     std::size_t grain = kParallelGrain, std::size_t align = 16);

/// parallel_ranges with a callable `f(begin, end)`, in ranges of at least `grain` (inline when
/// n < 2·grain); no allocation.
template <class F>
void parallel_for_grain(std::size_t n, std::size_t grain, std::size_t align, F&& f) {
    if (n < 2 * grain) {
        f(std::size_t{0}, n);
        return;
    }
    parallel_ranges(
        n, [](void* p, std::size_t b, std::size_t e) { (*static_cast<std::remove_reference_t<F>*>(p))(b, e); },
        const_cast<void*>(static_cast<const void*>(&f)), grain, align);
}

/// f(begin, end) over [0, n) elements, split between threads from 2·kParallelGrain.
template <class F>
void parallel_for(std::size_t n, F&& f) {
    parallel_for_grain(n, kParallelGrain, 16, f);
}

/// parallel_for over `items` units of `elements` floats each (images of a batch, say), split
/// between threads on whole items once there are 2·kParallelGrain elements in all.
template <class F>
void parallel_for_items(std::size_t items, std::size_t elements, F&& f) {
    parallel_for_grain(items, elements == 0 ? items + 1 : (kParallelGrain + elements - 1) / elements, 1, f);
}

/// Work for idle moments: items [0, n) of `fn(ctx, i)`, each run exactly once, by the pool's
/// workers between tasks (offer_idle) or by any thread that calls run_one(). Items must not
/// throw. A worker checks for a new task after every item, so a task waits at most one item
/// (and not even that: the caller takes the chunks a busy worker has not started).
class IdleWork {
public:
    IdleWork(std::size_t n, void (*fn)(void*, std::size_t), void* ctx) : n_(n), fn_(fn), ctx_(ctx) {}
    IdleWork(const IdleWork&) = delete;
    IdleWork& operator=(const IdleWork&) = delete;

    /// Runs one item nobody has claimed; false when every item is claimed.
    bool run_one() {
        if (next_.load(std::memory_order_relaxed) >= n_) return false;  // spares the counter's cache line
        const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
        if (i >= n_) return false;
        fn_(ctx_, i);
        done_.fetch_add(1, std::memory_order_release);
        return true;
    }
    /// Runs the items nobody has claimed, then waits for those other threads are running. After
    /// it returns no thread touches ctx again, and every item's writes are visible.
    void finish();
    /// Claims every item not yet claimed without running it, then waits for those other threads
    /// are running. After it returns no thread touches ctx again.
    void cancel();
    /// True when every item is claimed (some may still be running).
    bool claimed() const { return next_.load(std::memory_order_relaxed) >= n_; }
    /// Items not yet claimed.
    std::size_t unclaimed() const {
        const std::size_t next = next_.load(std::memory_order_relaxed);
        return next >= n_ ? 0 : n_ - next;
    }

private:
    const std::size_t n_;
    void (*const fn_)(void*, std::size_t);
    void* const ctx_;
    std::atomic<std::size_t> next_{0}, done_{0};
};

/// Hands `work` to the pool's workers for the moments they have no task (it replaces any
/// earlier offer). Sleeping workers are woken for it. The pool drops its reference once every
/// item is claimed; the caller still calls work->finish() before reading the results.
void offer_idle(std::shared_ptr<IdleWork> work);

}  // namespace xgrad::detail
