// The thread count shared by xgrad's workers (ops/parallel.cpp, which also run the matrix
// products: ops/gemm.cpp) and OpenBLAS's own pool. OpenBLAS is declared here rather than
// through <cblas.h>, which clashes with xtensor-blas' enums.
#include "xgrad/threads.hpp"

#include <algorithm>
#include <atomic>
#include <string>

#include "blas_threads.hpp"
#include "xgrad/error.hpp"

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace xgrad {

namespace {
// The count the user asked for (0: OpenBLAS's own default, read on first use). Kept apart
// from OpenBLAS's current count, which SerialBlas lowers to 1 for the length of a small product.
std::atomic<int> g_requested{0};

// A lower count the trainer chose for the current load (0: none; see detail::set_active_threads).
std::atomic<int> g_active{0};

int requested() {
    int n = g_requested.load(std::memory_order_relaxed);
    if (n == 0) {
        n = openblas_get_num_threads();
        g_requested.store(n, std::memory_order_relaxed);
    }
    return n;
}
int active() {
    const int a = g_active.load(std::memory_order_relaxed);
    return a > 0 ? std::min(a, requested()) : requested();
}
}  // namespace

void set_num_threads(int n) {
    if (n < 1) throw ValueError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
    g_requested.store(n, std::memory_order_relaxed);
    g_active.store(0, std::memory_order_relaxed);
    openblas_set_num_threads(n);
}

int num_threads() { return requested(); }

namespace detail {

SerialBlas::SerialBlas(bool serial) : active_(serial && active() > 1) {
    if (active_) openblas_set_num_threads(1);
}

SerialBlas::~SerialBlas() {
    if (active_) openblas_set_num_threads(active());
}

void set_active_threads(int n) {
    g_active.store(n > 0 ? n : 0, std::memory_order_relaxed);
    openblas_set_num_threads(active());
}

int active_threads() { return active(); }

}  // namespace detail

}  // namespace xgrad
