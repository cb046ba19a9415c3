// One thread pool: OpenBLAS's. Declared here rather than through <cblas.h>, which clashes with
// xtensor-blas' enums.
#include "xgrad/threads.hpp"

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

int requested() {
    int n = g_requested.load(std::memory_order_relaxed);
    if (n == 0) {
        n = openblas_get_num_threads();
        g_requested.store(n, std::memory_order_relaxed);
    }
    return n;
}
}  // namespace

void set_num_threads(int n) {
    if (n < 1) throw ValueError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
    g_requested.store(n, std::memory_order_relaxed);
    openblas_set_num_threads(n);
}

int num_threads() { return requested(); }

namespace detail {

SerialBlas::SerialBlas(bool serial) : active_(serial && requested() > 1) {
    if (active_) openblas_set_num_threads(1);
}

SerialBlas::~SerialBlas() {
    if (active_) openblas_set_num_threads(requested());
}

}  // namespace detail

}  // namespace xgrad
