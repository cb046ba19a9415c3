#include "ops/gemm.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>
#include <xsimd/xsimd.hpp>
#include <xtensor-blas/xblas.hpp>

#include "active_threads.hpp"
#include "ops/parallel.hpp"

namespace xgrad::detail {

namespace {

// One OpenBLAS call with explicit leading dimensions (a block of a larger product). Passed as
// the column-major product Cᵀ = op(B)ᵀ · op(A)ᵀ, which is what OpenBLAS makes of a row-major
// call anyway, minus one branch: for row-major untransposed operands below 7.3 M
// multiply-adds on one thread, OpenBLAS 0.3.21 takes an unpacked "direct" kernel that ran at
// half the speed (a 32x256x784 block took as long as the 32x512x784 product).
void gemm_call(const float* a, std::size_t lda, const float* b, std::size_t ldb, float* c, std::size_t ldc,
               std::size_t m, std::size_t n, std::size_t k, bool ta, bool tb, bool accumulate) {
    using I = xt::blas_index_t;
    cxxblas::gemm<I>(cxxblas::StorageOrder::ColMajor, tb ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans,
                     ta ? cxxblas::Transpose::Trans : cxxblas::Transpose::NoTrans, I(n), I(m), I(k), 1.f, b, I(ldb), a,
                     I(lda), accumulate ? 1.f : 0.f, c, I(ldc));
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

using Batch = xsimd::batch<float>;
constexpr std::size_t kLanes = Batch::size;

void gemm_small_k(const float* a, std::size_t a_row, std::size_t a_col, const float* b, float* c, std::size_t m,
                  std::size_t n, std::size_t k, const float* bias) {
    if (k == 0) {  // no taps (no input channels): the bias alone
        for (std::size_t r = 0; r < m; ++r)
            for (std::size_t j = 0; j < n; ++j) c[r * n + j] = bias ? bias[j] : 0.f;
        return;
    }
    parallel_for_items(m, n + k, [=](std::size_t r0, std::size_t r1) {
        // Each element sums its k products in order with one fma each. Up to four batches of
        // columns of R rows at a time: 4R independent chains hide the fma's latency (one chain
        // waited 4 cycles per product), and each load of B serves R rows (one row at a time
        // ran at a third of the fma rate: 128x10 · 10x512 in 22 us on one core). Column blocks
        // outside, rows inside: the block's k x 64 floats of B stay in L1 for all rows
        // (streaming all of B per row ran at L2 speed).
        auto rows = [&]<std::size_t W, std::size_t R>(std::size_t r, std::size_t j) {
            std::array<std::array<Batch, W>, R> acc;
            for (std::size_t i = 0; i < R; ++i) {
                const Batch a0(a[(r + i) * a_row]);
                for (std::size_t w = 0; w < W; ++w) acc[i][w] = a0 * Batch::load_unaligned(b + j + w * kLanes);
            }
            for (std::size_t p = 1; p < k; ++p) {
                const float* bp = b + p * n + j;
                std::array<Batch, W> bv;
                for (std::size_t w = 0; w < W; ++w) bv[w] = Batch::load_unaligned(bp + w * kLanes);
                for (std::size_t i = 0; i < R; ++i) {
                    const Batch ap(a[(r + i) * a_row + p * a_col]);
                    for (std::size_t w = 0; w < W; ++w) acc[i][w] = xsimd::fma(ap, bv[w], acc[i][w]);
                }
            }
            for (std::size_t i = 0; i < R; ++i) {
                float* cr = c + (r + i) * n + j;
                for (std::size_t w = 0; w < W; ++w) {
                    if (bias) acc[i][w] += Batch::load_unaligned(bias + j + w * kLanes);
                    acc[i][w].store_unaligned(cr + w * kLanes);
                }
            }
        };
        auto block = [&]<std::size_t W>(std::size_t j) {
            std::size_t r = r0;
            for (; r + 2 <= r1; r += 2) rows.template operator()<W, 2>(r, j);
            if (r < r1) rows.template operator()<W, 1>(r, j);
        };
        std::size_t j = 0;
        for (; j + 4 * kLanes <= n; j += 4 * kLanes) block.template operator()<4>(j);
        if (j + 2 * kLanes <= n) {
            block.template operator()<2>(j);
            j += 2 * kLanes;
        }
        if (j + kLanes <= n) {
            block.template operator()<1>(j);
            j += kLanes;
        }
        for (std::size_t r = r0; r < r1; ++r) {
            const float* ar = a + r * a_row;
            for (std::size_t jj = j; jj < n; ++jj) {
                float acc = ar[0] * b[jj];
                for (std::size_t p = 1; p < k; ++p) acc = std::fma(ar[p * a_col], b[p * n + jj], acc);
                c[r * n + jj] = bias ? acc + bias[jj] : acc;
            }
        }
    });
}

void gemm_small_m_tn(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k) {
    constexpr std::size_t kBlocks = 8;
    std::vector<float> partial(kBlocks * m * n, 0.f);
    float* parts = partial.data();
    parallel_for_items(kBlocks, k / kBlocks * (m + n), [=](std::size_t q0, std::size_t q1) {
        for (std::size_t q = q0; q < q1; ++q) {
            float* acc = parts + q * m * n;
            const std::size_t rb = k * q / kBlocks, re = k * (q + 1) / kBlocks;
            std::size_t j = 0;
            for (; j + kLanes <= n; j += kLanes) {
                std::array<Batch, kSmallInner> sum;
                for (std::size_t p = 0; p < m; ++p) sum[p] = Batch(0.f);
                for (std::size_t r = rb; r < re; ++r) {
                    const Batch bv = Batch::load_unaligned(b + r * n + j);
                    const float* ar = a + r * m;
                    for (std::size_t p = 0; p < m; ++p) sum[p] = xsimd::fma(Batch(ar[p]), bv, sum[p]);
                }
                for (std::size_t p = 0; p < m; ++p) sum[p].store_unaligned(acc + p * n + j);
            }
            for (; j < n; ++j)
                for (std::size_t r = rb; r < re; ++r)
                    for (std::size_t p = 0; p < m; ++p) acc[p * n + j] += a[r * m + p] * b[r * n + j];
        }
    });
    std::copy(parts, parts + m * n, c);
    for (std::size_t q = 1; q < kBlocks; ++q)
        for (std::size_t i = 0; i < m * n; ++i) c[i] += parts[q * m * n + i];
}

void blas_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb, bool accumulate) {
    if (trivial(c, m, n, k, accumulate)) return;
    gemm_call(a, ta ? m : k, b, tb ? k : n, c, n, m, n, k, ta, tb, accumulate);
}

void pool_gemm(const float* a, const float* b, float* c, std::size_t m, std::size_t n, std::size_t k, bool ta,
               bool tb) {
    if (trivial(c, m, n, k, false)) return;
    if (k <= kSmallInnerProduct) {
        if (!tb) return gemm_small_k(a, ta ? 1 : k, ta ? m : 1, b, c, m, n, k);
        std::vector<float> bt(k * n);  // op(B) row-major: k rows of n
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t p = 0; p < k; ++p) bt[p * n + j] = b[j * k + p];
        return gemm_small_k(a, ta ? 1 : k, ta ? m : 1, bt.data(), c, m, n, k);
    }
    if (ta && !tb && m <= kSmallInner && k >= 64 * m) return gemm_small_m_tn(a, b, c, m, n, k);
    const std::size_t lda = ta ? m : k, ldb = tb ? k : n;
    // One block per thread (a block packs the shared operand again: more blocks cost more),
    // cut at multiples of 16: OpenBLAS's AVX-512 kernels work on 16-wide panels, and no two
    // threads write one cache line of C. Fewer blocks when the smallest would fall to
    // kMinBlockMnk multiply-adds.
    const bool by_rows = m >= n;
    const std::size_t len = by_rows ? m : n, other = (by_rows ? n : m) * k;
    std::size_t blocks = std::size_t(std::max(1, active_threads()));
    auto cut = [&](std::size_t q) { return q >= blocks ? len : std::min(len, (len * q / blocks + 15) / 16 * 16); };
    auto smallest = [&] {
        std::size_t s = len;
        for (std::size_t q = 0; q < blocks; ++q) s = std::min(s, cut(q + 1) - cut(q));
        return double(s) * double(other);
    };
    while (blocks > 1 && smallest() <= kMinBlockMnk) --blocks;
    if (blocks == 1) {
        gemm_call(a, lda, b, ldb, c, n, m, n, k, ta, tb, false);
        return;
    }
    parallel_for_grain(blocks, 1, 1, [&](std::size_t q0, std::size_t q1) {
        for (std::size_t q = q0; q < q1; ++q) {
            const std::size_t i0 = cut(q), i1 = cut(q + 1);
            if (i0 == i1) continue;
            if (by_rows) {  // rows i0..i1 of C need rows i0..i1 of op(A)
                gemm_call(ta ? a + i0 : a + i0 * k, lda, b, ldb, c + i0 * n, n, i1 - i0, n, k, ta, tb, false);
            } else {  // columns i0..i1 of C need columns i0..i1 of op(B)
                gemm_call(a, lda, tb ? b + i0 * k : b + i0, ldb, c + i0, n, m, i1 - i0, k, ta, tb, false);
            }
        }
    });
}

}  // namespace xgrad::detail
