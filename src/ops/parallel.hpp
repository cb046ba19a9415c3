#pragma once
// Private: splits large elementwise kernels between threads.

#include <cstddef>
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

}  // namespace xgrad::detail
