#pragma once
// Private: the elementwise kernels behind the ops. One pass, no temporaries, vectorised (xsimd
// batches for transcendental functions, plain loops the compiler vectorises otherwise) and
// split between threads for large arrays. Broadcasting walks the output row by row, so every
// inner loop is contiguous or reads one value (xtensor's generic broadcast steps element by
// element and was 5-20x slower here).

#include <array>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "ops/parallel.hpp"
#include "xgrad/xt.hpp"

namespace xgrad::detail {

/// o[i] = f(a[i]) with f called on xsimd batches, then on floats for the tail.
template <class F>
void simd_unary(const float* a, float* o, std::size_t n, F f) {
    using B = xsimd::batch<float>;
    constexpr std::size_t w = B::size;
    std::size_t i = 0;
    for (; i + w <= n; i += w) f(B::load_unaligned(a + i)).store_unaligned(o + i);
    for (; i < n; ++i) o[i] = f(a[i]);
}

/// f(a) elementwise into a new array (f: generic over float and xsimd batches).
template <class F>
Array map_unary(const Array& a, F f) {
    Array out(a.shape());
    const float* pa = a.data();
    float* po = out.data();
    parallel_for(a.size(), [=](std::size_t b, std::size_t e) { simd_unary(pa + b, po + b, e - b, f); });
    return out;
}

/// The shape a and b broadcast to (callers have checked that they do).
inline Array::shape_type broadcast_shape(const Array::shape_type& a, const Array::shape_type& b) {
    const std::size_t n = std::max(a.size(), b.size());
    Array::shape_type out(n, 1);
    for (std::size_t i = 0; i < a.size(); ++i) out[n - a.size() + i] = a[i];
    for (std::size_t i = 0; i < b.size(); ++i) out[n - b.size() + i] = std::max(out[n - b.size() + i], b[i]);
    return out;
}

/// How an operand is read along the output's rows: the start of each row and whether the row
/// is contiguous (else one value repeats along it).
struct RowReader {
    const float* p;
    std::vector<std::size_t> stride;  // per output axis, 0 where the operand is broadcast
    bool contiguous;

    RowReader(const Array& a, const Array::shape_type& out) : p(a.data()), stride(out.size(), 0) {
        const std::size_t n = out.size(), k = a.dimension();
        std::size_t s = 1;
        for (std::size_t i = k; i-- > 0;) {
            const std::size_t d = a.shape()[i];
            stride[n - k + i] = d == 1 ? 0 : s;
            s *= d;
        }
        contiguous = n == 0 || stride[n - 1] == 1;
    }
};

/// Walks the output's rows from row r0 on, keeping each operand's row start: an odometer over
/// the leading axes, so a step costs an add or two, not a division per axis (a bias added to
/// (64, 26, 26, 32) has 43k rows of 32: the divisions took 3x the adds themselves).
template <std::size_t N>
class RowWalk {
public:
    RowWalk(const std::array<const RowReader*, N>& ops, const Array::shape_type& out, std::size_t r0)
        : ops_(ops), out_(out), digit_(out.empty() ? 0 : out.size() - 1, 0) {
        for (std::size_t i = digit_.size(); i-- > 0;) {
            digit_[i] = r0 % out[i];
            r0 /= out[i];
        }
        for (std::size_t k = 0; k < N; ++k) {
            off_[k] = 0;
            for (std::size_t i = 0; i < digit_.size(); ++i) off_[k] += digit_[i] * ops[k]->stride[i];
        }
    }
    const float* row(std::size_t k) const { return ops_[k]->p + off_[k]; }
    void next() {
        for (std::size_t i = digit_.size(); i-- > 0;) {
            for (std::size_t k = 0; k < N; ++k) off_[k] += ops_[k]->stride[i];
            if (++digit_[i] < out_[i]) return;
            for (std::size_t k = 0; k < N; ++k) off_[k] -= ops_[k]->stride[i] * out_[i];
            digit_[i] = 0;
        }
    }

private:
    std::array<const RowReader*, N> ops_;
    const Array::shape_type& out_;
    std::vector<std::size_t> digit_;
    std::array<std::size_t, N> off_{};
};

/// f(a, b) elementwise with NumPy broadcasting into a new array.
template <class F>
Array map_binary(const Array& a, const Array& b, F f) {
    if (a.shape() == b.shape() || b.size() == 1 || a.size() == 1) {
        Array out(broadcast_shape(a.shape(), b.shape()));
        // Captured by value into locals, and the fresh output marked restrict: the loops
        // vectorise (through references GCC reloaded the pointers every element).
        const float *pa = a.data(), *pb = b.data();
        float* po = out.data();
        const std::size_t n = out.size();
        if (a.size() == b.size()) {
            parallel_for(n, [=](std::size_t s, std::size_t e) {
                const float *x = pa, *y = pb;
                float* __restrict o = po;
                for (std::size_t i = s; i < e; ++i) o[i] = f(x[i], y[i]);
            });
        } else if (b.size() == 1) {
            const float vb = pb[0];
            parallel_for(n, [=](std::size_t s, std::size_t e) {
                const float* x = pa;
                float* __restrict o = po;
                for (std::size_t i = s; i < e; ++i) o[i] = f(x[i], vb);
            });
        } else {
            const float va = pa[0];
            parallel_for(n, [=](std::size_t s, std::size_t e) {
                const float* y = pb;
                float* __restrict o = po;
                for (std::size_t i = s; i < e; ++i) o[i] = f(va, y[i]);
            });
        }
        return out;
    }
    const Array::shape_type shape = broadcast_shape(a.shape(), b.shape());
    Array out(shape);
    const std::size_t len = shape.empty() ? 1 : shape.back();
    const std::size_t rows = len ? out.size() / len : 0;
    const RowReader ra(a, shape), rb(b, shape);
    float* po = out.data();
    auto rows_fn = [&](std::size_t r0, std::size_t r1) {
        RowWalk<2> walk({&ra, &rb}, shape, r0);
        for (std::size_t r = r0; r < r1; ++r, walk.next()) {
            const float *x = walk.row(0), *y = walk.row(1);
            float* __restrict o = po + r * len;
            if (ra.contiguous && rb.contiguous) {
                for (std::size_t j = 0; j < len; ++j) o[j] = f(x[j], y[j]);
            } else if (ra.contiguous) {
                const float v = *y;
                for (std::size_t j = 0; j < len; ++j) o[j] = f(x[j], v);
            } else if (rb.contiguous) {
                const float v = *x;
                for (std::size_t j = 0; j < len; ++j) o[j] = f(v, y[j]);
            } else {
                const float v = f(*x, *y);
                for (std::size_t j = 0; j < len; ++j) o[j] = v;
            }
        }
    };
    // Split by whole rows of len elements.
    parallel_for_items(rows, len, rows_fn);
    return out;
}

/// `a` repeated to `shape` (NumPy broadcasting; callers have checked it), row by row.
inline Array broadcast_array(const Array& a, const Array::shape_type& shape) {
    Array out(shape);
    const std::size_t len = shape.empty() ? 1 : shape.back();
    const std::size_t rows = len ? out.size() / len : 0;
    const RowReader ra(a, shape);
    float* po = out.data();
    auto rows_fn = [&](std::size_t r0, std::size_t r1) {
        RowWalk<1> walk({&ra}, shape, r0);
        for (std::size_t r = r0; r < r1; ++r, walk.next()) {
            const float* x = walk.row(0);
            float* o = po + r * len;
            if (ra.contiguous) {
                std::copy(x, x + len, o);
            } else {
                std::fill(o, o + len, *x);
            }
        }
    };
    parallel_for_items(rows, len, rows_fn);
    return out;
}

}  // namespace xgrad::detail
