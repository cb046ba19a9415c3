#pragma once
// Private to fit(): picks one thread or the configured count for the rest of each epoch.

#include <chrono>
#include <cstddef>

#include "active_threads.hpp"
#include "xgrad/threads.hpp"

namespace xgrad::train {

/// With another process busy on one core, products split evenly between threads, and every
/// product waits for the thread that shares its core: two threads can be 3x slower than on a
/// quiet machine, one thread only ~1.6x. So at the start of each epoch, after a warm-up, the
/// probe alternates one-thread and all-thread steps, times them, and keeps the faster setting
/// for the rest of the epoch. It only acts when more than one thread is configured.
class ThreadProbe {
public:
    explicit ThreadProbe(bool enabled) : enabled_(enabled && num_threads() > 1) {}
    ~ThreadProbe() {
        if (enabled_) detail::set_active_threads(0);
    }
    ThreadProbe(const ThreadProbe&) = delete;
    ThreadProbe& operator=(const ThreadProbe&) = delete;

    void begin_epoch() {
        if (!enabled_) return;
        step_ = 0;
        one_ = all_ = 0;
        detail::set_active_threads(0);
    }
    void before_step() {
        if (!probing()) return;
        detail::set_active_threads(step_ % 2 == 0 ? 1 : 0);
        start_ = std::chrono::steady_clock::now();
    }
    void after_step() {
        if (!enabled_) return;
        if (probing()) {
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
            (step_ % 2 == 0 ? one_ : all_) += dt;
            if (step_ + 1 == kWarmup + 2 * kPairs) detail::set_active_threads(one_ < all_ ? 1 : 0);
        }
        ++step_;
    }
    /// Threads in use now (for tests and logs).
    int threads() const { return detail::active_threads(); }

private:
    static constexpr std::size_t kWarmup = 2;  // first steps allocate and fault pages
    static constexpr std::size_t kPairs = 5;
    bool probing() const { return enabled_ && step_ >= kWarmup && step_ < kWarmup + 2 * kPairs; }

    bool enabled_;
    std::size_t step_ = 0;
    double one_ = 0, all_ = 0;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace xgrad::train
