#pragma once
// Raw loops where xtensor's generic machinery is slow or fragile (reductions over axes).

#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::detail {

/// Reduces `a` over `axes` (sorted, unique) with `op`, starting from `init`; the result has
/// the input's shape with the reduced axes set to 1. One pass over the input in memory order.
template <class Op>
Array reduce_axes(const Array& a, const std::vector<std::size_t>& axes, float init, Op op) {
    const auto& shape = a.shape();
    const std::size_t nd = shape.size();
    Array::shape_type kept(shape.begin(), shape.end());
    for (auto ax : axes) kept[ax] = 1;
    Array out(kept, init);
    if (a.size() == 0) return out;
    // Stride of each input axis in the output (0 on reduced axes).
    std::vector<std::size_t> ostride(nd, 0);
    std::size_t s = 1;
    for (std::size_t i = nd; i-- > 0;) {
        ostride[i] = kept[i] == 1 ? 0 : s;
        s *= kept[i];
    }
    // Walk the input with a multi-index; the innermost axis is a contiguous run.
    const std::size_t inner = nd ? shape[nd - 1] : 1;
    const std::size_t inner_stride = nd ? ostride[nd - 1] : 0;
    std::vector<std::size_t> idx(nd, 0);
    const float* in = a.data();
    float* o = out.data();
    std::size_t base = 0;
    for (std::size_t done = 0; done < a.size(); done += inner) {
        float* row = o + base;
        if (inner_stride == 0) {
            // 16 independent lanes so the compiler can vectorise the reduction of a row.
            constexpr std::size_t lanes = 16;
            std::size_t j = 0;
            float acc = row[0];
            if (inner >= 2 * lanes) {
                float part[lanes];
                for (std::size_t k = 0; k < lanes; ++k) part[k] = in[done + k];
                for (j = lanes; j + lanes <= inner; j += lanes) {
                    for (std::size_t k = 0; k < lanes; ++k) part[k] = op(part[k], in[done + j + k]);
                }
                for (std::size_t k = 0; k < lanes; ++k) acc = op(acc, part[k]);
            }
            for (; j < inner; ++j) acc = op(acc, in[done + j]);
            row[0] = acc;
        } else {
            for (std::size_t j = 0; j < inner; ++j) row[j] = op(row[j], in[done + j]);
        }
        // Advance the multi-index over the outer axes.
        for (std::size_t i = nd - 1; i-- > 0;) {
            base += ostride[i];
            if (++idx[i] < shape[i]) break;
            base -= ostride[i] * shape[i];
            idx[i] = 0;
        }
    }
    return out;
}

}  // namespace xgrad::detail
