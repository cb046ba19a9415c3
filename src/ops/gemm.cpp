#include "ops/gemm.hpp"

#include <algorithm>
#include <xtensor-blas/xblas.hpp>

#include "blas_threads.hpp"
#include "ops/parallel.hpp"

namespace xgrad::detail {

namespace {

// One OpenBLAS call with explicit leading dimensions (a block of a larger product).
void gemm_call(const float* a, std::size_t lda, const float* b, std::size_t ldb, float* c, std::size_t ldc,
               std::size_t m, std::size_t n, std::size_t k, bool ta, bool tb, bool accumulate) {
    using I = xt::blas_index_t;
    cxxblas::gemm<I>(cxxblas::StorageOrder::RowMajor, ta ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     tb ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans, I(m), I(n), I(k), 1.f, a, I(lda), b,
                     I(ldb), accumulate ? 1.f : 0.f, c, I(ldc));
}

// Handles the empty shapes; true when nothing is left to multiply.
bool trivial(float* c, std::size_t m, std::size_t n, std::size_t k, bool accumulate) {
    if (m == 0 || n == 0) return true;
    if (k == 0) {
        if (!accumulate) std::fill(c, c + m * n, 0.f);
        return true;
    }
    return false;
}

}  // namespace

void blas_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate) {
    if (trivial(c, m, n, k, accumulate)) return;
    gemm_call(a, ta ? m : k, b, tb ? k : n, c, n, m, n, k, ta, tb, accumulate);
}

void pool_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate) {
    if (trivial(c, m, n, k, accumulate)) return;
    const std::size_t lda = ta ? m : k, ldb = tb ? k : n;
    if (double(m) * double(n) * double(k) < kPoolGemmMnk || active_threads() < 2) {
        SerialBlas serial(true);
        gemm_call(a, lda, b, ldb, c, n, m, n, k, ta, tb, accumulate);
        return;
    }
    SerialBlas serial(true);
    // One block per thread (a block packs the shared operand again: more blocks cost more),
    // cut at multiples of 16: OpenBLAS's AVX-512 kernels work on 16-wide panels, and no two
    // threads write one cache line of C.
    const std::size_t blocks = std::size_t(active_threads());
    const bool by_rows = m >= n;
    const std::size_t len = by_rows ? m : n;
    auto cut = [&](std::size_t q) { return q >= blocks ? len : std::min(len, (len * q / blocks + 15) / 16 * 16); };
    parallel_for_grain(blocks, 1, 1, [&](std::size_t q0, std::size_t q1) {
        for (std::size_t q = q0; q < q1; ++q) {
            const std::size_t i0 = cut(q), i1 = cut(q + 1);
            if (i0 == i1) continue;
            if (by_rows) {  // rows i0..i1 of C need rows i0..i1 of op(A)
                gemm_call(ta ? a + i0 : a + i0 * k, lda, b, ldb, c + i0 * n, n, i1 - i0, n, k, ta, tb, accumulate);
            } else {  // columns i0..i1 of C need columns i0..i1 of op(B)
                gemm_call(a, lda, tb ? b + i0 * k : b + i0, ldb, c + i0, n, m, i1 - i0, k, ta, tb, accumulate);
            }
        }
    });
}

}  // namespace xgrad::detail
