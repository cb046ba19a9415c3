#pragma once
/// @file map.hpp
/// In-place updates by an elementwise formula: `map_(t, x, f)` is t ← f(t, x) and
/// `map2_(t, x, y, f)` is t ← f(t, x, y), element by element, in ONE vectorised pass (PyTorch's
/// `Tensor.map_` / `map2_`). A chain of in-place primitives reads and writes memory once per
/// primitive; a formula in one pass keeps every intermediate in registers:
///
///     map2_(w, g, v, [=](auto w, auto g, auto v) { return addcdiv(w, g, sqrt(v) + eps, -lr); });
///
/// is `w ← w − lr·g/(√v + ε)` at the cost of its square root and division (RMSprop's step,
/// 1.6x faster on MNIST's 401k-float kernel than `w.addcdiv_(g, sqrt(v).add_(eps), -lr)`).
///
/// `f` is generic: it is called on SIMD batches of floats (xsimd::batch<float>) for the update,
/// and once on the tensors themselves when the update is recorded (RecordInPlaceGuard), so it
/// must be written with what both understand: + − · / with floats, sqrt (found by
/// argument-dependent lookup) and xgrad::addcmul / addcdiv (batch overloads below). Recorded,
/// `t` becomes f's result tensor, like every recorded in-place update. Each element goes through
/// the same float operations either way, so both give the same bits, and the same bits as the
/// chain of eager ops, when the caller's file is compiled without FMA contraction
/// (`-ffp-contract=off`, as src/optim is; with contraction the compiler may fuse a product
/// into a sum, which rounds once instead of twice).
///
/// Rules as for Tensor's in-place primitives: the updated tensor is a leaf and the update runs
/// under NoGradGuard (GraphError naming the op otherwise); the operands have exactly t's shape
/// (ShapeError naming both shapes otherwise: no broadcasting).

#include <cstddef>
#include <initializer_list>
#include <xsimd/xsimd.hpp>

#include "xgrad/ops/elementwise.hpp"
#include "xgrad/tensor.hpp"

// GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the `__Y` of
// _mm512_undefined_ps behind _mm512_sqrt_ps) once a formula is inlined into map_range. The
// pragmas do not survive a precompiled header, so xgrad.hpp does not include this file:
// include it where it is used.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace xgrad {

/// t + value·a·b on batches (the formula of addcmul, rounded as it rounds).
inline xsimd::batch<float> addcmul(const xsimd::batch<float>& t, const xsimd::batch<float>& a,
                                   const xsimd::batch<float>& b, float value = 1.f) {
    return t + value * a * b;
}
/// t + value·a/b on batches (the formula of addcdiv, rounded as it rounds).
inline xsimd::batch<float> addcdiv(const xsimd::batch<float>& t, const xsimd::batch<float>& a,
                                   const xsimd::batch<float>& b, float value = 1.f) {
    return t + value * a / b;
}

namespace detail {
/// Checks an in-place map's target and operands (op names the public function); true when the
/// update is to be recorded instead of run.
bool map_records(const char* op, const Tensor& t, std::initializer_list<const Tensor*> operands);
/// Runs fn(ctx, begin, end) over [0, n) in ranges split between xgrad's threads.
void map_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx);

/// p[0][i] = f(p[0][i], p[1][i], ...) over [b, e): batches, then the tail in one padded batch.
template <std::size_t N, class F>
void map_range(float* const* p, std::size_t b, std::size_t e, const F& f) {
    using B = xsimd::batch<float>;
    constexpr std::size_t w = B::size;
    auto at = [&](std::size_t i) {
        return [&]<std::size_t... k>(std::index_sequence<k...>) { return f(B::load_unaligned(p[k] + i)...); }(
            std::make_index_sequence<N>());
    };
    std::size_t i = b;
    for (; i + w <= e; i += w) at(i).store_unaligned(p[0] + i);
    if (i == e) return;
    // The tail through a batch padded with ones (a formula may divide by an operand).
    alignas(64) float buf[N][w];
    for (std::size_t k = 0; k < N; ++k)
        for (std::size_t j = 0; j < w; ++j) buf[k][j] = i + j < e ? p[k][i + j] : 1.f;
    const B r = [&]<std::size_t... k>(std::index_sequence<k...>) { return f(B::load_aligned(buf[k])...); }(
        std::make_index_sequence<N>());
    alignas(64) float out[w];
    r.store_aligned(out);
    for (std::size_t j = 0; i + j < e; ++j) p[0][i + j] = out[j];
}

template <class F, class... Xs>
Tensor& map_n(const char* op, Tensor& t, const F& f, const Xs&... xs) {
    if (map_records(op, t, {&xs...})) return t = f(t, xs...);
    constexpr std::size_t N = 1 + sizeof...(Xs);
    struct Ctx {
        float* p[N];
        const F* f;
    } ctx{{t.data().data(), const_cast<float*>(xs.value().data())...}, &f};
    map_ranges(
        t.size(),
        [](void* c, std::size_t b, std::size_t e) {
            const Ctx& x = *static_cast<const Ctx*>(c);
            map_range<N>(x.p, b, e, *x.f);
        },
        &ctx);
    return t;
}
}  // namespace detail

/// t ← f(t, x) elementwise in one pass (see the file comment).
template <class F>
Tensor& map_(Tensor& t, const Tensor& x, const F& f) {
    return detail::map_n("map_", t, f, x);
}

/// t ← f(t, x, y) elementwise in one pass (see the file comment).
template <class F>
Tensor& map2_(Tensor& t, const Tensor& x, const Tensor& y, const F& f) {
    return detail::map_n("map2_", t, f, x, y);
}

}  // namespace xgrad

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
