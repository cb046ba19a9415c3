#pragma once
// Private: single-precision matrix products on raw row-major buffers, through OpenBLAS.

#include <cstddef>

namespace xgrad::detail {

/// C (m x n) = op(A) · op(B) (+ C when `accumulate`), A being (m x k), or (k x m) when `ta`,
/// and B (k x n), or (n x k) when `tb`; all row-major and contiguous. One OpenBLAS call, on
/// as many threads as OpenBLAS is set to. An empty inner dimension gives zeros (or leaves C).
void blas_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate = false);

/// Products with fewer multiply-adds (m·n·k) than this run in the calling thread. With the
/// workers already awake, splitting pays from about here: MNIST's 128x512x10 products (0.66 M)
/// went from 21 to 13 us on two threads.
inline constexpr double kPoolGemmMnk = 5.0e5;

/// blas_gemm split between xgrad's threads: C is cut into one block of rows (or of columns,
/// when it is wider than tall) per thread, each block one OpenBLAS call on one thread. Small
/// products (below kPoolGemmMnk multiply-adds) run in the calling thread.
///
/// Why not OpenBLAS's own threads: after each product they spin on the core that the
/// elementwise kernels' workers need next, and those workers, asleep through a product they
/// took no part in, took 10-30 us to wake (a bias add after MNIST's 128x784x512 product went
/// from 9 us on one thread to 21 us on two). Splitting C keeps one set of threads warm and
/// costs nothing in the products themselves (bench/mnist_phases, docs/performance.md).
void pool_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate = false);

}  // namespace xgrad::detail
