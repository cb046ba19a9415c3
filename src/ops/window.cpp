// Window geometry (TensorFlow's padding rules) and the im2col / col2im copies.
#include "ops/window.hpp"

#include <algorithm>
#include <cstring>

#include "ops/parallel.hpp"
#include "xgrad/format.hpp"

namespace xgrad {

std::size_t conv_output_length(std::size_t input, std::size_t window, std::size_t stride, std::size_t dilation,
                               Padding padding) {
    if (stride == 0 || window == 0 || dilation == 0) return 0;
    const std::size_t span = (window - 1) * dilation + 1;
    if (padding == Padding::Same) return (input + stride - 1) / stride;
    return input < span ? 0 : (input - span) / stride + 1;
}

}  // namespace xgrad

namespace xgrad::detail {

namespace {

// Output length and padding before the first tap along one axis (TensorFlow puts the odd
// padding element after).
std::pair<std::size_t, std::size_t> axis_geometry(std::size_t in, std::size_t k, std::size_t s, std::size_t d,
                                                  Padding padding) {
    const std::size_t out = conv_output_length(in, k, s, d, padding);
    if (padding == Padding::Valid || out == 0) return {out, 0};
    const std::size_t needed = (out - 1) * s + (k - 1) * d + 1;
    return {out, needed > in ? (needed - in) / 2 : 0};
}

}  // namespace

Window make_window(const char* op, const std::string& who, const Shape& input, std::size_t kh, std::size_t kw,
                   std::array<std::size_t, 2> strides, std::array<std::size_t, 2> dilation, Padding padding) {
    const std::string o(op);
    if (strides[0] == 0 || strides[1] == 0) {
        throw ValueError(o + ": strides must be positive, got (" + std::to_string(strides[0]) + ", " +
                         std::to_string(strides[1]) + ")");
    }
    if (dilation[0] == 0 || dilation[1] == 0) {
        throw ValueError(o + ": dilation_rate must be positive, got (" + std::to_string(dilation[0]) + ", " +
                         std::to_string(dilation[1]) + ")");
    }
    if (kh == 0 || kw == 0) throw ValueError(o + ": the window (" + std::to_string(kh) + "x" + std::to_string(kw) + ") is empty");
    Window g;
    g.n = input[0], g.h = input[1], g.w = input[2], g.c = input[3];
    g.kh = kh, g.kw = kw, g.sh = strides[0], g.sw = strides[1], g.dh = dilation[0], g.dw = dilation[1];
    if (g.h == 0 || g.w == 0 || g.c == 0) throw ShapeError(o + ": input " + who + " has an empty spatial or channel axis");
    std::tie(g.oh, g.pt) = axis_geometry(g.h, kh, g.sh, g.dh, padding);
    std::tie(g.ow, g.pl) = axis_geometry(g.w, kw, g.sw, g.dw, padding);
    if (g.oh == 0 || g.ow == 0) {
        const std::size_t span_h = (kh - 1) * g.dh + 1, span_w = (kw - 1) * g.dw + 1;
        throw ShapeError(o + ": the window (" + std::to_string(span_h) + "x" + std::to_string(span_w) +
                         ") does not fit in the " + std::to_string(g.h) + "x" + std::to_string(g.w) + " images of input " +
                         who + " with 'valid' padding");
    }
    return g;
}

namespace {

// Copies n floats; the runs here are short (kw·C: 3 floats for a one-channel image), where a
// call to memcpy per run cost more than the copy.
inline void copy_run(const float* from, float* to, std::size_t n) {
    if (n >= 32) std::memcpy(to, from, n * sizeof(float));
    else
        for (std::size_t k = 0; k < n; ++k) to[k] = from[k];
}

}  // namespace

void im2col_images(const float* x, const Window& g, std::size_t n0, std::size_t n1, float* cols) {
    const std::size_t c = g.c, run = g.kw * c;
    float* row = cols;
    for (std::size_t n = n0; n < n1; ++n) {
        const float* image = x + n * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j) {
                float* out = row;
                for (std::size_t a = 0; a < g.kh; ++a, out += run) {
                    const std::ptrdiff_t r = g.in_row(i, a);
                    if (r < 0 || r >= std::ptrdiff_t(g.h)) {
                        std::fill(out, out + run, 0.f);
                        continue;
                    }
                    const float* line = image + std::size_t(r) * g.w * c;
                    // Dense taps inside the image are one contiguous run of kw·C floats.
                    const std::ptrdiff_t first = g.in_col(j, 0), last = g.in_col(j, g.kw - 1);
                    if (g.dw == 1 && first >= 0 && last < std::ptrdiff_t(g.w)) {
                        copy_run(line + std::size_t(first) * c, out, run);
                        continue;
                    }
                    for (std::size_t b = 0; b < g.kw; ++b) {
                        const std::ptrdiff_t col = g.in_col(j, b);
                        if (col < 0 || col >= std::ptrdiff_t(g.w)) std::fill(out + b * c, out + (b + 1) * c, 0.f);
                        else copy_run(line + std::size_t(col) * c, out + b * c, c);
                    }
                }
                row += g.patch();
            }
        }
    }
}

void col2im_images(const float* cols, const Window& g, std::size_t n0, std::size_t n1, float* dx) {
    const std::size_t c = g.c;
    std::fill(dx + n0 * g.h * g.w * c, dx + n1 * g.h * g.w * c, 0.f);
    const float* row = cols;
    for (std::size_t n = n0; n < n1; ++n) {
        float* image = dx + n * g.h * g.w * c;
        for (std::size_t i = 0; i < g.oh; ++i) {
            for (std::size_t j = 0; j < g.ow; ++j, row += g.patch()) {
                const float* in = row;
                for (std::size_t a = 0; a < g.kh; ++a) {
                    const std::ptrdiff_t r = g.in_row(i, a);
                    if (r < 0 || r >= std::ptrdiff_t(g.h)) {
                        in += g.kw * c;
                        continue;
                    }
                    float* line = image + std::size_t(r) * g.w * c;
                    for (std::size_t b = 0; b < g.kw; ++b, in += c) {
                        const std::ptrdiff_t col = g.in_col(j, b);
                        if (col < 0 || col >= std::ptrdiff_t(g.w)) continue;
                        float* dst = line + std::size_t(col) * c;
                        for (std::size_t k = 0; k < c; ++k) dst[k] += in[k];
                    }
                }
            }
        }
    }
}

// Both copies touch only image n's rows of `cols` and image n of x / dx: the batch is split
// between threads.
void im2col(const float* x, const Window& g, float* cols) {
    parallel_for_items(g.n, g.oh * g.ow * g.patch(), [&](std::size_t n0, std::size_t n1) {
        im2col_images(x, g, n0, n1, cols + n0 * g.oh * g.ow * g.patch());
    });
}

void col2im(const float* cols, const Window& g, float* dx) {
    parallel_for_items(g.n, g.oh * g.ow * g.patch(), [&](std::size_t n0, std::size_t n1) {
        col2im_images(cols + n0 * g.oh * g.ow * g.patch(), g, n0, n1, dx);
    });
}

}  // namespace xgrad::detail
