// One thread pool: OpenBLAS's. Declared here rather than through <cblas.h>, which clashes with
// xtensor-blas' enums.
#include "xgrad/threads.hpp"

#include <string>

#include "xgrad/error.hpp"

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
}

namespace xgrad {

void set_num_threads(int n) {
    if (n < 1) throw ValueError("set_num_threads: need at least 1 thread, got " + std::to_string(n));
    openblas_set_num_threads(n);
}

int num_threads() { return openblas_get_num_threads(); }

}  // namespace xgrad
