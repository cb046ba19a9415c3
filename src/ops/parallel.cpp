// A small pool for elementwise kernels. It sleeps between tasks (condition variables, no
// spinning: a spinning second pool next to OpenBLAS's made PyTorch 3-4x slower here) and
// follows the thread count set through set_num_threads / chosen by the trainer.
#include "ops/parallel.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "blas_threads.hpp"

namespace xgrad::detail {

namespace {

class Pool {
public:
    // Runs the task on `parts` ranges; the caller takes part 0.
    void run(std::size_t n, std::size_t parts, void (*fn)(void*, std::size_t, std::size_t), void* ctx) {
        grow(parts - 1);
        {
            std::lock_guard<std::mutex> lock(m_);
            fn_ = fn;
            ctx_ = ctx;
            n_ = n;
            parts_ = parts;
            pending_ = parts - 1;
            ++generation_;
        }
        wake_.notify_all();
        fn(ctx, 0, bound(1));
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return pending_ == 0; });
    }

    std::mutex busy;  // one task at a time; a second caller runs inline

private:
    std::size_t bound(std::size_t part) const {
        // Range ends on multiples of 16 floats: no two threads write one cache line.
        const std::size_t e = n_ * part / parts_;
        return part == parts_ ? n_ : std::min(n_, (e + 15) / 16 * 16);
    }

    void grow(std::size_t workers) {
        while (threads_.size() < workers) {
            const std::size_t index = threads_.size() + 1;
            // The worker starts from the current generation: the task about to be posted is its first.
            threads_.emplace_back([this, index, gen = generation_] { work(index, gen); });
            threads_.back().detach();  // the pool lives as long as the process
        }
    }

    void work(std::size_t index, std::uint64_t seen) {
        for (;;) {
            std::unique_lock<std::mutex> lock(m_);
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            if (index >= parts_) continue;  // fewer parts than workers this time
            auto fn = fn_;
            void* ctx = ctx_;
            const std::size_t b = bound(index), e = bound(index + 1);
            lock.unlock();
            fn(ctx, b, e);
            lock.lock();
            if (--pending_ == 0) done_.notify_one();
        }
    }

    std::mutex m_;
    std::condition_variable wake_, done_;
    std::vector<std::thread> threads_;
    std::uint64_t generation_ = 0;
    void (*fn_)(void*, std::size_t, std::size_t) = nullptr;
    void* ctx_ = nullptr;
    std::size_t n_ = 0, parts_ = 1, pending_ = 0;
};

Pool& pool() {
    static Pool* p = new Pool;  // never destroyed: workers may still be waiting at exit
    return *p;
}

}  // namespace

void parallel_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx) {
    const std::size_t threads = static_cast<std::size_t>(std::max(1, active_threads()));
    const std::size_t parts = std::min(threads, n / kParallelGrain);
    if (parts <= 1) {
        fn(ctx, 0, n);
        return;
    }
    Pool& p = pool();
    std::unique_lock<std::mutex> lock(p.busy, std::try_to_lock);
    if (!lock.owns_lock()) {
        fn(ctx, 0, n);
        return;
    }
    p.run(n, parts, fn, ctx);
}

}  // namespace xgrad::detail
