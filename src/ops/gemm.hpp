#pragma once
// Private: single-precision matrix products on raw row-major buffers, through OpenBLAS.

#include <cstddef>

namespace xgrad::detail {

/// C (m x n) = op(A) · op(B) (+ C when `accumulate`), A being (m x k), or (k x m) when `ta`,
/// and B (k x n), or (n x k) when `tb`; all row-major and contiguous. One OpenBLAS call (on
/// one thread: xgrad keeps OpenBLAS there). An empty inner dimension gives zeros (or leaves C).
void blas_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate = false);

/// Patches up to this many columns take gemm_small_k in conv2d, and outer dimensions up to it
/// gemm_small_m_tn: a first convolution's 9-column patches. OpenBLAS packs and zeroes for such
/// shapes at a fraction of its speed (conv1's forward and kernel gradient took 1 ms each for
/// 25 MFLOP).
inline constexpr std::size_t kSmallInner = 32;

/// pool_gemm takes gemm_small_k up to this inner dimension: MNIST's 128x10 · 10x512 (the
/// 10-class layer's gradient for its input) took 24 us through OpenBLAS on one thread, 36 us
/// split, 16 us here on two threads. At k = 32 OpenBLAS was faster (784x512x32: 200 vs 376 us),
/// at 16 slower (151 vs 112 us).
inline constexpr std::size_t kSmallInnerProduct = 16;

/// C (m x n) = A (m x k) · B (k x n) (+ bias (n) on every row) for small k, B and C row-major
/// and A read at a[r·a_row + p·a_col] (a transposed A is a_row = 1, a_col = m): each row of C
/// is k scaled rows of B summed in registers, one SIMD batch of columns at a time, the rows
/// split between threads. Each element sums in the same order on any thread count.
void gemm_small_k(const float* a, std::size_t a_row, std::size_t a_col, const float* b, float* c, std::size_t m,
                  std::size_t n, std::size_t k, const float* bias = nullptr);
inline void gemm_small_k(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k,
                         const float* bias = nullptr) {
    gemm_small_k(a, k, 1, b, c, m, n, k, bias);
}

/// C (m x n) = Aᵀ · B with A (k x m), B (k x n) and small m (a first layer's kernel gradient):
/// a sum over k of outer products with the m accumulators in registers, k cut into 8 fixed
/// blocks summed in order (the same bits on any thread count).
void gemm_small_m_tn(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k);

/// pool_gemm's blocks have more multiply-adds than this, so smaller products run in the calling
/// thread. OpenBLAS 0.3.21 multiplies products up to 100³ with its small-matrix kernels, which
/// sum in another order than its packed kernels: a block below it would change the bits of
/// the product with the thread count (20x64x1500 cut in two: 1,238 of 1,280 elements).
inline constexpr double kMinBlockMnk = 1.0e6;

/// C = op(A) · op(B) as blas_gemm, on xgrad's threads. A small inner dimension (k <=
/// kSmallInnerProduct) takes gemm_small_k, a small Aᵀ·B (m <= kSmallInner, k >= 64·m)
/// gemm_small_m_tn; otherwise C is cut into one block of rows (or of columns, when it is wider
/// than tall) per thread, each block one OpenBLAS call on one thread, each above kMinBlockMnk
/// multiply-adds (fewer blocks, or one call in the calling thread, otherwise). Every path gives
/// the same bits on any thread count.
///
/// Why not OpenBLAS's own threads: after each product they spin on the core that the
/// elementwise kernels' workers need next, and those workers, asleep through a product they
/// took no part in, took 10-30 us to wake (a bias add after MNIST's 128x784x512 product went
/// from 9 us on one thread to 21 us on two). Splitting C keeps one set of threads warm and
/// costs nothing in the products themselves (bench/mnist_phases, docs/performance.md).
void pool_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb);

}  // namespace xgrad::detail
