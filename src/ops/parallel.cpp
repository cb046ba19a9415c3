// xgrad's thread pool: elementwise kernels and the blocks of matrix products (ops/gemm.cpp).
// It sleeps between tasks (condition variables; it polls only for 50 us after each task: a
// pool that spun for long made PyTorch, running next to it, 3-4x slower here) and follows the
// thread count set through set_num_threads or chosen by the trainer. Between tasks its workers
// also run offered idle work (IdleWork: fit's copy of the next batch), one item at a time,
// checking for a new task after each.
#include "ops/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include <malloc.h>

#include "active_threads.hpp"

namespace xgrad::detail {

namespace {

// The caller and the workers take chunks from a shared counter, so a worker the scheduler has
// not woken yet (another process busy on its core) delays nothing: the caller does its chunks,
// closes the task and waits only for workers already inside it.
//
// Waking a sleeping thread costs 5-20 us here (futex and scheduler), as long as a whole
// elementwise pass over 400k floats: an optimizer's five passes on two threads were slower
// than on one. So both sides poll briefly before they sleep: a worker for the next task
// (back-to-back kernels are the common case), the caller for the workers still inside. The
// polling yields the core (sched_yield) so other processes run first; after kSpin it sleeps on
// a condition variable as before.
class Pool {
public:
    void run(std::size_t n, std::size_t parts, std::size_t align, void (*fn)(void*, std::size_t, std::size_t),
             void* ctx) {
        grow(parts - 1);
        {
            std::lock_guard<std::mutex> lock(m_);
            fn_ = fn;
            ctx_ = ctx;
            n_ = n;
            align_ = align;
            chunks_ = std::min(n, parts * 4);  // a few chunks per thread: whoever is running takes more
            next_.store(0, std::memory_order_relaxed);
            open_ = true;
            generation_.store(generation_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
            if (sleeping_ > 0) wake_.notify_all();
        }
        work_chunks();
        {
            std::lock_guard<std::mutex> lock(m_);
            open_ = false;  // late workers see a closed task and go back to waiting
        }
        if (poll([this] { return inside_.load(std::memory_order_acquire) == 0; })) return;
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return inside_.load(std::memory_order_acquire) == 0; });
    }

    std::mutex busy;  // one task at a time; a second caller runs inline

private:
    // Polls `ready` for up to kSpin, yielding the core in between; true once it holds.
    template <class Ready>
    static bool poll(Ready ready) {
        constexpr auto kSpin = std::chrono::microseconds(50);
        const auto until = std::chrono::steady_clock::now() + kSpin;
        for (unsigned i = 0;; ++i) {
            if (ready()) return true;
            if (i % 16 == 15) {
                if (std::chrono::steady_clock::now() > until) return false;
                std::this_thread::yield();
            }
        }
    }

    std::size_t bound(std::size_t chunk) const {
        if (chunk >= chunks_) return n_;
        const std::size_t e = n_ * chunk / chunks_;
        return std::min(n_, (e + align_ - 1) / align_ * align_);
    }

    void work_chunks() {
        for (;;) {
            const std::size_t c = next_.fetch_add(1, std::memory_order_relaxed);
            if (c >= chunks_) return;
            fn_(ctx_, bound(c), bound(c + 1));
        }
    }

    void grow(std::size_t workers) {
        while (threads_.size() < workers) {
            // The worker starts from the current generation: the task about to be posted is its first.
            threads_.emplace_back([this, gen = generation_.load()] { work(gen); });
            threads_.back().detach();  // the pool lives as long as the process
        }
    }

    void work(std::uint64_t seen) {
        for (;;) {
            const auto new_task = [&] { return generation_.load(std::memory_order_acquire) != seen; };
            run_idle(new_task);
            poll([&] { return new_task() || idle_offered_.load(std::memory_order_relaxed); });
            std::unique_lock<std::mutex> lock(m_);
            ++sleeping_;
            wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen || idle_ != nullptr; });
            --sleeping_;
            if (generation_.load(std::memory_order_relaxed) == seen) continue;  // woken for idle work
            seen = generation_.load(std::memory_order_relaxed);
            if (!open_) continue;
            inside_.fetch_add(1, std::memory_order_relaxed);
            lock.unlock();
            work_chunks();
            lock.lock();
            if (inside_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_one();
        }
    }

    // Items of the offered idle work until a task arrives or none is left; the offer is dropped
    // once every item is claimed (so a sleeping worker does not wake for it again).
    template <class NewTask>
    void run_idle(const NewTask& new_task) {
        if (!idle_offered_.load(std::memory_order_relaxed)) return;
        std::shared_ptr<IdleWork> w;
        {
            std::lock_guard<std::mutex> lock(m_);
            w = idle_;
        }
        if (!w) return;
        while (!new_task() && w->run_one()) {
        }
        if (w->claimed()) {
            std::lock_guard<std::mutex> lock(m_);
            if (idle_ == w) {
                idle_.reset();
                idle_offered_.store(false, std::memory_order_relaxed);
            }
        }
    }

public:
    void offer(std::shared_ptr<IdleWork> w) {
        std::lock_guard<std::mutex> lock(m_);
        idle_ = std::move(w);
        idle_offered_.store(idle_ != nullptr, std::memory_order_relaxed);
        if (sleeping_ > 0) wake_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable wake_, done_;
    std::shared_ptr<IdleWork> idle_;  // guarded by m_; idle_offered_ mirrors it for the polls
    std::atomic<bool> idle_offered_{false};
    std::vector<std::thread> threads_;
    std::atomic<std::uint64_t> generation_{0};
    void (*fn_)(void*, std::size_t, std::size_t) = nullptr;
    void* ctx_ = nullptr;
    std::size_t n_ = 0, chunks_ = 1, align_ = 1, sleeping_ = 0;
    std::atomic<std::size_t> inside_{0}, next_{0};
    bool open_ = false;
};

Pool& pool() {
    static Pool* p = new Pool;  // never destroyed: workers may still be waiting at exit
    return *p;
}

// Every op returns a fresh array. glibc serves large ones with mmap, or trims the heap after
// they are freed, so each op paid page faults on memory it had just released: at 64k-1M
// floats that was most of an elementwise op's time. Keeping up to 32 MB blocks on the heap
// and trimming only past 256 MB makes those buffers reused. (Set once, when the library's
// kernels are linked in; a program that sets its own policy later overrides it.)
[[maybe_unused]] const bool g_heap_policy = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return true;
}();

}  // namespace

void IdleWork::finish() {
    while (run_one()) {
    }
    // Items other threads have started: a row copy or so each.
    while (done_.load(std::memory_order_acquire) < n_) std::this_thread::yield();
}

void IdleWork::cancel() {
    const std::size_t started = std::min(next_.exchange(n_, std::memory_order_relaxed), n_);
    while (done_.load(std::memory_order_acquire) < started) std::this_thread::yield();
}

void offer_idle(std::shared_ptr<IdleWork> work) { pool().offer(std::move(work)); }

void parallel_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx, std::size_t grain,
                     std::size_t align) {
    const std::size_t threads = static_cast<std::size_t>(std::max(1, active_threads()));
    const std::size_t parts = std::min(threads, n / std::max<std::size_t>(grain, 1));
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
    p.run(n, parts, std::max<std::size_t>(align, 1), fn, ctx);
}

}  // namespace xgrad::detail
