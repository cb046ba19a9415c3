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
/// with the moving average in the same pass, map_(std::tie(v, w), ...), 1.6-1.7x faster on MNIST's
/// 401k-float kernel than `v.addcmul_(...)` then `w.addcdiv_(g, sqrt(v).add_(eps), -lr)`).
///
/// `f` is generic: it is called on SIMD batches of floats (xsimd::batch<float>) for the update,
/// and once on the tensors themselves when the update is recorded (RecordInPlaceGuard), so it
/// must be written with what both understand: + − · / with floats, sqrt (found by
/// argument-dependent lookup) and xgrad::addcmul / addcdiv (batch overloads below). Recorded,
/// `t` becomes f's result tensor, like every recorded in-place update. Each element goes through
/// the same float operations either way, so both give the same bits, and the same bits as the
/// chain of eager ops, when the caller's file is compiled without FMA contraction
/// (`-ffp-contract=off`, as src/optim is; GCC contracts by default, with -std=c++20 too, and a
/// product fused into a sum rounds once instead of twice).
///
/// Rules as for Tensor's in-place primitives: the updated tensor is a leaf and the update runs
/// under NoGradGuard (GraphError naming the op otherwise); the operands have exactly t's shape
/// (ShapeError naming both shapes otherwise: no broadcasting).

#include <cstddef>
#include <initializer_list>
#include <tuple>
#include <type_traits>
#include <utility>
#include <xsimd/xsimd.hpp>

#include "xgrad/ops/elementwise.hpp"
#include "xgrad/tensor.hpp"

// GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 intrinsics (the `__Y` of
// _mm512_undefined_ps behind _mm512_sqrt_ps) once a formula is inlined into map_range. The
// pragmas below silence it in optimised builds, but GCC may report it at the formula's own
// line instead (seen at -O2): files with formulas that take sqrt may need
// -Wno-maybe-uninitialized -Wno-uninitialized. Pragmas do not survive a precompiled header,
// so xgrad.hpp does not include this file: include it where it is used.
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
/// Runs fn(ctx, begin, end) over [0, n) in ranges split between xgrad's threads.
void map_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx);

/// Stores f's result for elements [i, i + batch): one batch for one target, a tuple of batches
/// for NT targets (p[0] .. p[NT-1]).
template <std::size_t NT, class R>
void store_result(const R& r, float* const* p, std::size_t i) {
    if constexpr (NT == 1) {
        r.store_unaligned(p[0] + i);
    } else {
        [&]<std::size_t... k>(std::index_sequence<k...>) { (std::get<k>(r).store_unaligned(p[k] + i), ...); }(
            std::make_index_sequence<NT>());
    }
}

/// p[0..NT)[i] = f(p[0][i], .., p[N-1][i]) over [b, e): batches, then the tail in one padded
/// batch.
template <std::size_t NT, std::size_t N, class F>
void map_range(float* const* p, std::size_t b, std::size_t e, const F& f) {
    using B = xsimd::batch<float>;
    constexpr std::size_t w = B::size;
    std::size_t i = b;
    for (; i + w <= e; i += w) {
        store_result<NT>([&]<std::size_t... k>(std::index_sequence<k...>) { return f(B::load_unaligned(p[k] + i)...); }(
                             std::make_index_sequence<N>()),
                         p, i);
    }
    if (i == e) return;
    // The tail through a batch padded with ones (a formula may divide by an operand).
    alignas(64) float buf[N][w];
    for (std::size_t k = 0; k < N; ++k)
        for (std::size_t j = 0; j < w; ++j) buf[k][j] = i + j < e ? p[k][i + j] : 1.f;
    alignas(64) float out[NT][w];
    float* outs[NT];
    for (std::size_t k = 0; k < NT; ++k) outs[k] = out[k];
    store_result<NT>([&]<std::size_t... k>(std::index_sequence<k...>) { return f(B::load_aligned(buf[k])...); }(
                         std::make_index_sequence<N>()),
                     outs, 0);
    for (std::size_t k = 0; k < NT; ++k)
        for (std::size_t j = 0; i + j < e; ++j) p[k][i + j] = out[k][j];
}

/// Checks the targets (leaves, NoGradGuard, one shape, no tensor twice) and the operands; true
/// when the update is to be recorded.
bool map_records_all(const char* op, std::initializer_list<const Tensor*> targets,
                     std::initializer_list<const Tensor*> operands);

// targets: Tensor&..., operands: const Tensor&...
template <class F, class... Ts, class... Xs>
void map_n(const char* op, const F& f, std::tuple<Ts&...> targets, std::tuple<Xs&...> operands) {
    constexpr std::size_t NT = sizeof...(Ts), N = NT + sizeof...(Xs);
    const bool recorded = std::apply(
        [&](auto&... t) {
            return std::apply([&](auto&... x) { return map_records_all(op, {&t...}, {&x...}); }, operands);
        },
        targets);
    if (recorded) {
        auto r = std::apply([&](auto&... t) { return std::apply([&](auto&... x) { return f(t..., x...); }, operands); },
                            targets);
        if constexpr (NT == 1) {
            std::get<0>(targets) = r;
        } else {
            [&]<std::size_t... k>(std::index_sequence<k...>) { ((std::get<k>(targets) = std::get<k>(r)), ...); }(
                std::make_index_sequence<NT>());
        }
        return;
    }
    struct Ctx {
        float* p[N];
        const F* f;
    };
    Ctx ctx = std::apply(
        [&](auto&... t) {
            return std::apply(
                [&](auto&... x) { return Ctx{{t.data().data()..., const_cast<float*>(x.value().data())...}, &f}; },
                operands);
        },
        targets);
    map_ranges(
        std::get<0>(targets).size(),
        [](void* c, std::size_t b, std::size_t e) {
            const Ctx& x = *static_cast<const Ctx*>(c);
            map_range<NT, N>(x.p, b, e, *x.f);
        },
        &ctx);
}
}  // namespace detail

/// t ← f(t, x) elementwise in one pass (see the file comment).
template <class F>
Tensor& map_(Tensor& t, const Tensor& x, const F& f) {
    detail::map_n("map_", f, std::tie(t), std::tie(x));
    return t;
}

/// t ← f(t, x, y) elementwise in one pass (see the file comment).
template <class F>
Tensor& map2_(Tensor& t, const Tensor& x, const Tensor& y, const F& f) {
    detail::map_n("map2_", f, std::tie(t), std::tie(x, y));
    return t;
}

/// Several tensors updated by one formula in one pass: `map_(std::tie(v, w), std::tie(g), f)`
/// sets (v, w) ← f(v, w, g) elementwise, f returning a std::tuple of the new values in the
/// targets' order (written after f has read every input of the element). The targets follow
/// the rules above and must be distinct tensors of one shape.
template <class F, class... Ts, class... Xs>
void map_(std::tuple<Ts&...> targets, std::tuple<Xs&...> operands, const F& f) {
    static_assert(sizeof...(Ts) >= 1 && (std::is_same_v<Ts, Tensor> && ...), "map_: targets are std::tie(tensors...)");
    static_assert((std::is_same_v<std::remove_const_t<Xs>, Tensor> && ...), "map_: operands are std::tie(tensors...)");
    detail::map_n("map_", f, targets, operands);
}

}  // namespace xgrad

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
