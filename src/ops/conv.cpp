// Convolution as im2col + matrix products (docs/layers.md, "How conv2d runs"). The forward,
// input-gradient and kernel-gradient ops are three recorded ops that are each other's
// derivatives (all linear in each argument), so a backward pass with create_graph is itself a
// graph of convolutions.
#include "xgrad/ops/conv.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "ops/common.hpp"
#include "ops/gemm.hpp"
#include "ops/parallel.hpp"
#include "ops/window.hpp"
#include "xgrad/ops/reduce.hpp"

namespace xgrad {

Padding padding_from_string(const std::string& name) {
    if (name == "valid") return Padding::Valid;
    if (name == "same") return Padding::Same;
    throw ValueError("padding: unknown padding '" + name + "'; valid names: valid, same");
}

std::string to_string(Padding p) { return p == Padding::Valid ? "valid" : "same"; }

namespace {

using detail::Window;

using detail::blas_gemm;
using detail::gemm_small_k;
using detail::kSmallInner;

// The batch-split products: a convolution with a large patch runs im2col, its product and
// col2im on a few images at a time, the chunks split between threads with OpenBLAS on one
// thread each. The patches of a chunk (up to kChunkFloats) stay in the core's cache between
// the copy and the product, no (rows x patch) matrix of the whole batch is built (9 MB for
// the ch. 5 convnet's second layer, written, zeroed by OpenBLAS and read again), and the
// chunks need no synchronisation, unlike OpenBLAS's threads inside one product. Chunks are
// fixed by the batch, not by the thread count, so the results do not depend on it.
constexpr std::size_t kChunkFloats = 1 << 16;  // 256 KB: measured against 128 KB, 512 KB and 1 MB

struct Chunks {
    std::size_t images, count;  // images per chunk, chunks
    explicit Chunks(const Window& g) {
        const std::size_t per_image = std::max<std::size_t>(g.oh * g.ow * g.patch(), 1);
        images = std::clamp<std::size_t>(kChunkFloats / per_image, 1, std::max<std::size_t>(g.n, 1));
        count = (g.n + images - 1) / images;
    }
    std::size_t first(std::size_t q) const { return q * images; }
};

// Runs f(chunk, first image, end image, scratch of kChunkFloats-sized patches) over every chunk.
template <class F>
void for_chunks(const Window& g, const Chunks& ch, F f) {
    detail::parallel_for_items(ch.count, ch.images * g.oh * g.ow * g.patch(), [&](std::size_t q0, std::size_t q1) {
        std::unique_ptr<float[]> scratch(new float[ch.images * g.oh * g.ow * g.patch()]);
        for (std::size_t q = q0; q < q1; ++q) f(q, ch.first(q), std::min(g.n, ch.first(q) + ch.images), scratch.get());
    });
}

// Adds bias (n) to each of the m rows of c.
void add_rows(float* c, std::size_t m, std::size_t n, const float* bias) {
    for (std::size_t r = 0; r < m; ++r) {
        float* __restrict cr = c + r * n;
        for (std::size_t j = 0; j < n; ++j) cr[j] += bias[j];
    }
}

// y (rows x f) = im2col(x) · K (+ bias), chunk by chunk.
void conv_products(const float* x, const Window& g, const float* k, std::size_t f, float* y, const float* bias) {
    const std::size_t per = g.oh * g.ow;
    for_chunks(g, Chunks(g), [&](std::size_t, std::size_t n0, std::size_t n1, float* cols) {
        detail::im2col_images(x, g, n0, n1, cols);
        float* yc = y + n0 * per * f;
        blas_gemm(cols, k, yc, (n1 - n0) * per, f, g.patch(), false, false);
        if (bias) add_rows(yc, (n1 - n0) * per, f, bias);
    });
}

// dK (patch x f) = im2col(x)ᵀ · dY. The chunks form a fixed number of groups; a group
// accumulates its chunks in order into its own partial (the product adds into it), and the
// partials are summed in group order: the same result on any number of threads.
void conv_kernel_products(const float* x, const Window& g, const float* dy, std::size_t f, float* dk) {
    const std::size_t per = g.oh * g.ow, size = g.patch() * f;
    const Chunks ch(g);
    const std::size_t groups = std::min<std::size_t>(ch.count, 8);
    std::unique_ptr<float[]> partial(new float[groups * size]);
    detail::parallel_for_items(groups, ch.count / groups * ch.images * per * g.patch(), [&](std::size_t g0, std::size_t g1) {
        std::unique_ptr<float[]> cols(new float[ch.images * per * g.patch()]);
        for (std::size_t grp = g0; grp < g1; ++grp) {
            float* acc = partial.get() + grp * size;
            const std::size_t q0 = ch.count * grp / groups, q1 = ch.count * (grp + 1) / groups;
            for (std::size_t q = q0; q < q1; ++q) {
                const std::size_t n0 = ch.first(q), n1 = std::min(g.n, n0 + ch.images);
                detail::im2col_images(x, g, n0, n1, cols.get());
                blas_gemm(cols.get(), dy + n0 * per * f, acc, g.patch(), f, (n1 - n0) * per, true, false, q > q0);
            }
        }
    });
    std::copy(partial.get(), partial.get() + size, dk);
    for (std::size_t grp = 1; grp < groups; ++grp)
        for (std::size_t i = 0; i < size; ++i) dk[i] += partial[grp * size + i];
}

// dx = col2im(dY · Kᵀ), chunk by chunk: each chunk writes only its own images of dx.
void conv_input_products(const float* dy, const Window& g, const float* k, std::size_t f, float* dx) {
    const std::size_t per = g.oh * g.ow;
    for_chunks(g, Chunks(g), [&](std::size_t, std::size_t n0, std::size_t n1, float* dcols) {
        blas_gemm(dy + n0 * per * f, k, dcols, (n1 - n0) * per, g.patch(), f, false, true);
        detail::col2im_images(dcols, g, n0, n1, dx);
    });
}

std::string attrs_text(const std::array<std::size_t, 2>& v) { return std::to_string(v[0]) + "x" + std::to_string(v[1]); }

std::vector<std::pair<std::string, std::string>> conv_attrs(const Conv2DOptions& o) {
    return {{"strides", attrs_text(o.strides)}, {"padding", to_string(o.padding)}, {"dilation", attrs_text(o.dilation_rate)}};
}

void require_4d(const char* op, const char* what, const Tensor& t, const char* layout) {
    if (t.ndim() != 4) {
        throw ShapeError(std::string(op) + ": " + what + " " + describe(t) + " must be 4-D " + layout);
    }
}

// Checks x against a kernel shape and returns the window geometry.
Window conv_window(const char* op, const std::string& x_text, const Shape& x, const std::string& k_text, const Shape& k,
                   const Conv2DOptions& o) {
    if (x[3] != k[2]) {
        throw ShapeError(std::string(op) + ": input " + x_text + " has " + std::to_string(x[3]) +
                         " channels but the kernel " + k_text + " expects " + std::to_string(k[2]));
    }
    return detail::make_window(op, x_text, x, k[0], k[1], o.strides, o.dilation_rate, o.padding);
}

Shape out_shape(const Window& g, std::size_t f) { return {g.n, g.oh, g.ow, f}; }

// im2col(x) as a (rows x patch) array; shared by the forward and the kernel gradient.
std::shared_ptr<const Array> patches(const Array& x, const Window& g) {
    auto cols = std::make_shared<Array>(Array::shape_type{g.rows(), g.patch()});
    detail::im2col(x.data(), g, cols->data());
    return cols;
}

Tensor kernel_grad(const Tensor& x, const Tensor& g, const Shape& kshape, const Conv2DOptions& o,
                   std::shared_ptr<const Array> cols);

// conv2d(x, K), plus a bias (F) when `bias` is defined.
Tensor conv_forward(const Tensor& x, const Tensor& kernel, const Tensor* bias, const Conv2DOptions& o, const char* op) {
    require_4d(op, "input", x, "(batch, height, width, channels)");
    require_4d(op, "kernel", kernel, "(kernel_h, kernel_w, in_channels, filters)");
    const Shape ks = kernel.shape_vector();
    const Window g = conv_window(op, describe(x), x.shape_vector(), describe(kernel), ks, o);
    const std::size_t f = ks[3];
    if (bias && bias->shape_vector() != Shape{f}) {
        throw ShapeError(std::string(op) + ": bias " + describe(*bias) + " must be (" + std::to_string(f) +
                         "), one value per filter of the kernel " + describe(kernel));
    }
    const float* b = bias ? bias->value().data() : nullptr;
    Array y(Array::shape_type{g.n, g.oh, g.ow, f});
    std::shared_ptr<const Array> cols;
    if (g.patch() <= kSmallInner) {
        cols = patches(x.value(), g);
        gemm_small_k(cols->data(), kernel.value().data(), y.data(), g.rows(), f, g.patch(), b);
        // Only the kernel gradient reads the patches: keep them only when it will be wanted.
        if (!kernel.requires_grad() || !grad_enabled()) cols.reset();
    } else {
        conv_products(x.value().data(), g, kernel.value().data(), f, y.data(), b);
    }
    auto backward = [o, cols](const BackwardContext& c) -> std::vector<Tensor> {
        const Tensor &x = c.inputs[0], &k = c.inputs[1];
        std::vector<Tensor> grads(c.inputs.size());
        if (c.needs[0]) grads[0] = conv2d_backward_input(c.grad, k, x.shape_vector(), o);
        if (c.needs[1]) grads[1] = kernel_grad(x, c.grad, k.shape_vector(), o, cols);
        if (grads.size() > 2 && c.needs[2]) grads[2] = sum_to(c.grad, c.inputs[2].shape_vector());
        return grads;
    };
    if (bias) {
        return record({"conv2d", "dK = im2col(x)ᵀ · dY, dx = col2im(dY · Kᵀ), db = Σ dY", conv_attrs(o)},
                      {x, kernel, *bias}, std::move(y), backward);
    }
    return record({"conv2d", "dK = im2col(x)ᵀ · dY, dx = col2im(dY · Kᵀ)", conv_attrs(o)}, {x, kernel}, std::move(y),
                  backward);
}

Tensor kernel_grad(const Tensor& x, const Tensor& g, const Shape& kshape, const Conv2DOptions& o,
                   std::shared_ptr<const Array> cols) {
    const char* op = "conv2d_backward_kernel";
    require_4d(op, "input", x, "(batch, height, width, channels)");
    require_4d(op, "gradient", g, "(batch, out_height, out_width, filters)");
    if (kshape.size() != 4) throw ShapeError(std::string(op) + ": kernel shape " + shape_str(kshape) + " must be 4-D");
    const Window win = conv_window(op, describe(x), x.shape_vector(), shape_str(kshape), kshape, o);
    const Shape expected = out_shape(win, kshape[3]);
    if (g.shape_vector() != expected) {
        throw ShapeError(std::string(op) + ": gradient " + describe(g) + " does not match the output " +
                         shape_str(expected) + " of input " + describe(x) + " and kernel " + shape_str(kshape));
    }
    Array dk(Array::shape_type(kshape.begin(), kshape.end()));
    if (win.patch() <= kSmallInner) {
        if (!cols) cols = patches(x.value(), win);
        detail::pool_gemm(cols->data(), g.value().data(), dk.data(), win.patch(), kshape[3], win.rows(), true, false);
    } else {
        conv_kernel_products(x.value().data(), win, g.value().data(), kshape[3], dk.data());
    }
    return record({"conv2d_backward_kernel", "d/dx = col2im(dY · Hᵀ), d/ddY = im2col(x) · H", conv_attrs(o)}, {x, g},
                  std::move(dk), [o](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &x = c.inputs[0], &g = c.inputs[1];
                      Tensor dx, dg;
                      if (c.needs[0]) dx = conv2d_backward_input(g, c.grad, x.shape_vector(), o);
                      if (c.needs[1]) dg = conv2d(x, c.grad, o);
                      return {dx, dg};
                  });
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& kernel, const Conv2DOptions& options) {
    return conv_forward(x, kernel, nullptr, options, "conv2d");
}

Tensor conv2d(const Tensor& x, const Tensor& kernel, const Tensor& bias, const Conv2DOptions& options) {
    if (!bias.defined()) throw ValueError("conv2d: undefined bias tensor (use conv2d(x, kernel) for no bias)");
    return conv_forward(x, kernel, &bias, options, "conv2d");
}

Tensor conv2d_backward_kernel(const Tensor& x, const Tensor& g, const Shape& kernel_shape, const Conv2DOptions& options) {
    return kernel_grad(x, g, kernel_shape, options, nullptr);
}

Tensor conv2d_backward_input(const Tensor& g, const Tensor& kernel, const Shape& input_shape, const Conv2DOptions& o) {
    const char* op = "conv2d_backward_input";
    require_4d(op, "gradient", g, "(batch, out_height, out_width, filters)");
    require_4d(op, "kernel", kernel, "(kernel_h, kernel_w, in_channels, filters)");
    if (input_shape.size() != 4) throw ShapeError(std::string(op) + ": input shape " + shape_str(input_shape) + " must be 4-D");
    const Shape ks = kernel.shape_vector();
    const Window win = conv_window(op, shape_str(input_shape), input_shape, describe(kernel), ks, o);
    const Shape expected = out_shape(win, ks[3]);
    if (g.shape_vector() != expected) {
        throw ShapeError(std::string(op) + ": gradient " + describe(g) + " does not match the output " +
                         shape_str(expected) + " of input " + shape_str(input_shape) + " and kernel " + describe(kernel));
    }
    Array dx(Array::shape_type(input_shape.begin(), input_shape.end()));
    if (win.patch() <= kSmallInner) {
        Array dcols(Array::shape_type{win.rows(), win.patch()});
        detail::pool_gemm(g.value().data(), kernel.value().data(), dcols.data(), win.rows(), win.patch(), ks[3], false, true);
        detail::col2im(dcols.data(), win, dx.data());
    } else {
        conv_input_products(g.value().data(), win, kernel.value().data(), ks[3], dx.data());
    }
    return record({"conv2d_backward_input", "d/ddY = conv2d(h, K), d/dK = im2col(h)ᵀ · dY", conv_attrs(o)}, {g, kernel},
                  std::move(dx), [o](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &g = c.inputs[0], &k = c.inputs[1];
                      Tensor dg, dk;
                      if (c.needs[0]) dg = conv2d(c.grad, k, o);
                      if (c.needs[1]) dk = conv2d_backward_kernel(c.grad, g, k.shape_vector(), o);
                      return {dg, dk};
                  });
}

}  // namespace xgrad
