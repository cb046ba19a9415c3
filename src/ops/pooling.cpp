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

// Routes between input and output positions of a max pool: with `to_input` it spreads the
// output-shaped `src` onto the maxima of each window (dx), otherwise it collects the
// input-shaped `src` from them (the adjoint). A maximum is a tap equal to the window's output
// y; tied maxima share equally. Nothing is kept from the forward pass: two branch-free scans
// of the window (count the maxima, then route) vectorise along the channels, and ties are
// common after a relu (windows of zeros).
void max_route(const Window& g, const float* x, const float* y, const float* src, float* dst, bool to_input) {
    const std::size_t c = g.c, image = g.h * g.w * c;
    // Windows that tile the image (2x2 pools with strides 2 over an even size, say) write each
    // input element exactly once: no zero fill first, which was a third of the memory traffic.
    const bool tiles = g.pt == 0 && g.pl == 0 && g.sh == g.kh && g.sw == g.kw && g.dh == 1 && g.dw == 1 &&
                       g.oh * g.kh == g.h && g.ow * g.kw == g.w;
    per_images(g, [&](std::size_t n0, std::size_t n1) {
        std::vector<float> share(c);
        float* sh = share.data();
        if (to_input && !tiles) std::fill(dst + n0 * image, dst + n1 * image, 0.f);
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
                    if (tiles)
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
    per_images(win, [&](std::size_t n0, std::size_t n1) {
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
