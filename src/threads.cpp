// The thread count of xgrad's workers (ops/parallel.cpp), which also run the matrix products
// (ops/gemm.cpp) as blocks of single-threaded OpenBLAS calls. OpenBLAS itself stays on one
// thread: its own workers, woken by every change of its count, spun on the cores the products
// and kernels needed. OpenBLAS is declared here rather than through <cblas.h>, which clashes
// with xtensor-blas' enums.
#include "xgrad/threads.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>

#include "active_threads.hpp"
#include "xgrad/error.hpp"

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace xgrad {

namespace {
// The count the user asked for (0: not read yet; the default is OpenBLAS's own, which is
// OPENBLAS_NUM_THREADS or the number of cores).
std::atomic<int> g_requested{0};

// A lower count the trainer chose for the current load (0: none; see detail::set_active_threads).
std::atomic<int> g_active{0};

// Reads the default count once, then puts OpenBLAS on one thread for good.
void init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        int expected = 0;
        g_requested.compare_exchange_strong(expected, std::max(1, openblas_get_num_threads()));
        openblas_set_num_threads(1);
    });
}

int requested() {
    init_once();
    return g_requested.load(std::memory_order_relaxed);
}
int active() {
    const int a = g_active.load(std::memory_order_relaxed);
    return a > 0 ? std::min(a, requested()) : requested();
}
}  // namespace

void set_num_threads(int n) {
    if (n < 1) throw ValueError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
    init_once();
    g_requested.store(n, std::memory_order_relaxed);
    g_active.store(0, std::memory_order_relaxed);
}

int num_threads() { return requested(); }

namespace detail {

void set_active_threads(int n) { g_active.store(n > 0 ? n : 0, std::memory_order_relaxed); }

int active_threads() { return active(); }

}  // namespace detail

}  // namespace xgrad
