// Pooling in one pass over (N, H, W, C): windows are visited in output order and the channel
// axis, contiguous in channels_last, is the inner loop. The backward ops are recorded ops
// with their own derivatives (each is the other's adjoint), so create_graph works.
#include <algorithm>
#include <vector>

#include "ops/common.hpp"
#include "ops/parallel.hpp"
#include "ops/window.hpp"
#include "xgrad/ops/conv.hpp"
#include "xgrad/ops/reduce.hpp"

namespace xgrad {

namespace {

using detail::Window;

Window pool_window(const char* op, const Tensor& x, const Pool2DOptions& o) {
    if (x.ndim() != 4) {
        throw ShapeError(std::string(op) + ": input " + describe(x) + " must be 4-D (batch, height, width, channels)");
    }
    const auto strides = o.strides[0] == 0 && o.strides[1] == 0 ? o.pool_size : o.strides;
    return detail::make_window(op, describe(x), x.shape_vector(), o.pool_size[0], o.pool_size[1], strides, {1, 1},
                               o.padding);
}

std::vector<std::pair<std::string, std::string>> pool_attrs(const Window& g, Padding p) {
    return {{"pool_size", std::to_string(g.kh) + "x" + std::to_string(g.kw)},
            {"strides", std::to_string(g.sh) + "x" + std::to_string(g.sw)},
            {"padding", to_string(p)}};
}

// Calls f(offset of the tap's channel vector in the input) for every tap of window (n, i, j)
// that lies inside the image.
template <class F>
void for_taps(const Window& g, std::size_t n, std::size_t i, std::size_t j, F f) {
    for (std::size_t a = 0; a < g.kh; ++a) {
        const std::ptrdiff_t r = g.in_row(i, a);
        if (r < 0 || r >= std::ptrdiff_t(g.h)) continue;
        for (std::size_t b = 0; b < g.kw; ++b) {
            const std::ptrdiff_t col = g.in_col(j, b);
            if (col < 0 || col >= std::ptrdiff_t(g.w)) continue;
            f(((n * g.h + std::size_t(r)) * g.w + std::size_t(col)) * g.c);
        }
    }
}

// Calls f(window index, output offset) for every output position of images [n0, n1).
template <class F>
void for_windows(const Window& g, std::size_t n0, std::size_t n1, F f) {
    for (std::size_t n = n0; n < n1; ++n)
        for (std::size_t i = 0; i < g.oh; ++i)
            for (std::size_t j = 0; j < g.ow; ++j) f(n, i, j, ((n * g.oh + i) * g.ow + j) * g.c);
}
template <class F>
void for_windows(const Window& g, F f) {
    for_windows(g, 0, g.n, f);
}

// Windows only read and write their own image: the batch is split between threads.
template <class F>
void per_images(const Window& g, F f) {
    detail::parallel_for_items(g.n, g.h * g.w * g.c, f);
}

// Windows that tile the image (2x2 pools with strides 2 over an even size, say): every input
// element is a tap of exactly one window.
bool tiles(const Window& g) {
    return g.pt == 0 && g.pl == 0 && g.sh == g.kh && g.sw == g.kw && g.dh == 1 && g.dw == 1 && g.oh * g.kh == g.h &&
           g.ow * g.kw == g.w;
}

// Keras's default pool, 2x2 windows with strides 2 tiling the image: the four taps sit at
// fixed offsets, so the channel loops run without the generic walk over taps (its bounds checks
// and calls cost more than the max itself: the backward of conv1's pool took 8x the forward).
// Same operations in the same tap order as the generic loops below, so the same bits.
bool tiles_2x2(const Window& g) { return g.kh == 2 && g.kw == 2 && tiles(g); }

// Offset of window (n, i, j)'s first tap in a 2x2 tiling: the others are +c, +w·c, +w·c + c.
std::size_t tap0_2x2(const Window& g, std::size_t n, std::size_t i, std::size_t j) {
    return ((n * g.h + 2 * i) * g.w + 2 * j) * g.c;
}

void max_pool_2x2(const Window& g, const float* in, float* out) {
    const std::size_t c = g.c, row = g.w * c;
    per_images(g, [&](std::size_t n0, std::size_t n1) {
        for_windows(g, n0, n1, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
            const float* t0 = in + tap0_2x2(g, n, i, j);
            const float *t1 = t0 + c, *t2 = t0 + row, *t3 = t0 + row + c;
            float* d = out + at;
            for (std::size_t k = 0; k < c; ++k) d[k] = std::max(std::max(std::max(t0[k], t1[k]), t2[k]), t3[k]);
        });
    });
}

// One window of max_route_2x2, channels innermost. Separate restrict parameters: GCC then
// vectorises the loop (inside the lambda, with pointers it could not tell apart, it did not,
// and the route ran 3x slower than the generic loops).
void route_window_2x2(const float* __restrict x0, const float* __restrict x1, const float* __restrict x2,
                      const float* __restrict x3, const float* __restrict yo, const float* __restrict so,
                      float* __restrict d0, float* __restrict d1, float* __restrict d2, float* __restrict d3,
                      std::size_t c) {
    for (std::size_t k = 0; k < c; ++k) {
        const float m = yo[k];
        const float e0 = x0[k] == m ? 1.f : 0.f, e1 = x1[k] == m ? 1.f : 0.f, e2 = x2[k] == m ? 1.f : 0.f,
                    e3 = x3[k] == m ? 1.f : 0.f;
        const float v = so[k] * (1.f / (((e0 + e1) + e2) + e3));
        d0[k] = e0 != 0.f ? v : 0.f;
        d1[k] = e1 != 0.f ? v : 0.f;
        d2[k] = e2 != 0.f ? v : 0.f;
        d3[k] = e3 != 0.f ? v : 0.f;
    }
}

// dx of a 2x2 tiling max pool: dY to each window's maxima, split between ties.
void max_route_2x2(const Window& g, const float* x, const float* y, const float* dy, float* dx) {
    const std::size_t c = g.c, row = g.w * c;
    per_images(g, [&](std::size_t n0, std::size_t n1) {
        for_windows(g, n0, n1, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
            const std::size_t o = tap0_2x2(g, n, i, j);
            route_window_2x2(x + o, x + o + c, x + o + row, x + o + row + c, y + at, dy + at, dx + o, dx + o + c,
                             dx + o + row, dx + o + row + c, c);
        });
    });
}

// Routes between input and output positions of a max pool: with `to_input` it spreads the
// output-shaped `src` onto the maxima of each window (dx), otherwise it collects the
// input-shaped `src` from them (the adjoint). A maximum is a tap equal to the window's output
// y; tied maxima share equally. Nothing is kept from the forward pass: two branch-free scans
// of the window (count the maxima, then route) vectorise along the channels, and ties are
// common after a relu (windows of zeros).
void max_route(const Window& g, const float* x, const float* y, const float* src, float* dst, bool to_input) {
    if (to_input && tiles_2x2(g)) return max_route_2x2(g, x, y, src, dst);
    const std::size_t c = g.c, image = g.h * g.w * c;
    // Windows that tile the image write each input element exactly once: no zero fill first,
    // which was a third of the memory traffic.
    const bool tiled = tiles(g);
    per_images(g, [&](std::size_t n0, std::size_t n1) {
        std::vector<float> share(c);
        float* sh = share.data();
        if (to_input && !tiled) std::fill(dst + n0 * image, dst + n1 * image, 0.f);
        for_windows(g, n0, n1, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
            const float* yo = y + at;
            std::fill(sh, sh + c, 0.f);
            for_taps(g, n, i, j, [&](std::size_t t) {
                const float* xt = x + t;
                for (std::size_t k = 0; k < c; ++k) sh[k] += xt[k] == yo[k] ? 1.f : 0.f;
            });
            for (std::size_t k = 0; k < c; ++k) sh[k] = 1.f / sh[k];
            if (to_input) {
                const float* so = src + at;
                for_taps(g, n, i, j, [&](std::size_t t) {
                    const float* xt = x + t;
                    float* dt = dst + t;
                    if (tiled)
                        for (std::size_t k = 0; k < c; ++k) dt[k] = xt[k] == yo[k] ? so[k] * sh[k] : 0.f;
                    else
                        for (std::size_t k = 0; k < c; ++k) dt[k] += xt[k] == yo[k] ? so[k] * sh[k] : 0.f;
                });
            } else {
                float* d = dst + at;
                std::fill(d, d + c, 0.f);
                for_taps(g, n, i, j, [&](std::size_t t) {
                    const float *xt = x + t, *st = src + t;
                    for (std::size_t k = 0; k < c; ++k) d[k] += xt[k] == yo[k] ? st[k] * sh[k] : 0.f;
                });
            }
        });
    });
}

Tensor max_pool_route(const Tensor& src, const Tensor& x, const Tensor& y, const Window& g, Padding p, bool to_input) {
    const Shape want = to_input ? y.shape_vector() : x.shape_vector();
    const char* op = to_input ? "max_pool2d_backward" : "max_pool2d_select";
    if (src.shape_vector() != want) {
        throw ShapeError(std::string(op) + ": gradient " + describe(src) + " does not match " + shape_str(want));
    }
    Array out(to_input ? x.shape() : y.shape());
    max_route(g, x.value().data(), y.value().data(), src.value().data(), out.data(), to_input);
    const char* rule = to_input ? "the max takes the gradient: dx = dY at each window's max (split between ties)"
                                : "d/dh: dY scattered back to each window's max";
    return record({op, rule, pool_attrs(g, p)}, {src, x, y}, std::move(out),
                  [g, p, to_input](const BackwardContext& c) -> std::vector<Tensor> {
                      // The routing is piecewise constant in x (and y): only src gets a gradient.
                      return {max_pool_route(c.grad, c.inputs[1], c.inputs[2], g, p, !to_input), Tensor(), Tensor()};
                  });
}

// Elements of window (n, i, j) inside the image: the divisor of the average.
std::size_t count_taps(const Window& g, std::size_t n, std::size_t i, std::size_t j) {
    std::size_t count = 0;
    for_taps(g, n, i, j, [&](std::size_t) { ++count; });
    return count;
}

Tensor avg_pool_backward(const Tensor& g, const Shape& x_shape, const Window& win, const Pool2DOptions& o);

Tensor avg_pool_forward(const Tensor& x, const Window& win, const Pool2DOptions& o) {
    Array y(Array::shape_type{win.n, win.oh, win.ow, win.c});
    const float* in = x.value().data();
    float* out = y.data();
    const std::size_t c = win.c;
    for_windows(win, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
        float* dst = out + at;
        std::fill(dst, dst + c, 0.f);
        std::size_t count = 0;
        for_taps(win, n, i, j, [&](std::size_t t) {
            ++count;
            for (std::size_t k = 0; k < c; ++k) dst[k] += in[t + k];
        });
        const float inv = 1.f / float(count);
        for (std::size_t k = 0; k < c; ++k) dst[k] *= inv;
    });
    return record({"avg_pool2d", "dx = Σ over the windows holding x: dY / window size", pool_attrs(win, o.padding)},
                  {x}, std::move(y), [win, o](const BackwardContext& c) -> std::vector<Tensor> {
                      return {avg_pool_backward(c.grad, c.inputs[0].shape_vector(), win, o)};
                  });
}

Tensor avg_pool_backward(const Tensor& g, const Shape& x_shape, const Window& win, const Pool2DOptions& o) {
    const Shape want{win.n, win.oh, win.ow, win.c};
    if (g.shape_vector() != want) {
        throw ShapeError("avg_pool2d_backward: gradient " + describe(g) + " does not match " + shape_str(want));
    }
    Array dx(Array::shape_type(x_shape.begin(), x_shape.end()), 0.f);
    const float* src = g.value().data();
    float* out = dx.data();
    const std::size_t c = win.c;
    for_windows(win, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
        const float inv = 1.f / float(count_taps(win, n, i, j));
        for_taps(win, n, i, j, [&](std::size_t t) {
            for (std::size_t k = 0; k < c; ++k) out[t + k] += src[at + k] * inv;
        });
    });
    return record({"avg_pool2d_backward", "d/ddY = avg_pool2d(h) (the adjoint of the average)", pool_attrs(win, o.padding)},
                  {g}, std::move(dx), [win, o](const BackwardContext& c) -> std::vector<Tensor> {
                      return {avg_pool_forward(c.grad, win, o)};
                  });
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const Pool2DOptions& o) {
    const Window win = pool_window("max_pool2d", x, o);
    Array y(Array::shape_type{win.n, win.oh, win.ow, win.c});
    const float* in = x.value().data();
    float* out = y.data();
    const std::size_t c = win.c;
    if (tiles_2x2(win)) max_pool_2x2(win, in, out);
    else per_images(win, [&](std::size_t n0, std::size_t n1) {
        for_windows(win, n0, n1, [&](std::size_t n, std::size_t i, std::size_t j, std::size_t at) {
            float* dst = out + at;
            bool first = true;
            for_taps(win, n, i, j, [&](std::size_t t) {
                if (first) std::copy(in + t, in + t + c, dst);
                else
                    for (std::size_t k = 0; k < c; ++k) dst[k] = std::max(dst[k], in[t + k]);
                first = false;
            });
        });
    });
    return record({"max_pool2d", "the max takes the gradient: dx = dY at each window's max (split between ties)",
                   pool_attrs(win, o.padding)},
                  {x}, std::move(y),
                  [win, p = o.padding](const BackwardContext& c) -> std::vector<Tensor> {
                      return {max_pool_route(c.grad, c.inputs[0], c.output, win, p, true)};
                  });
}

Tensor avg_pool2d(const Tensor& x, const Pool2DOptions& o) { return avg_pool_forward(x, pool_window("avg_pool2d", x, o), o); }

Tensor global_avg_pool2d(const Tensor& x) {
    if (x.ndim() != 4) {
        throw ShapeError("global_avg_pool2d: input " + describe(x) + " must be 4-D (batch, height, width, channels)");
    }
    if (x.shape()[1] == 0 || x.shape()[2] == 0) throw ShapeError("global_avg_pool2d: input " + describe(x) + " has no pixels");
    return mean(x, {1, 2});
}

}  // namespace xgrad
