#pragma once
// Private: the geometry of sliding windows over (N, H, W, C) images, shared by convolution
// and pooling, and the im2col / col2im copies behind the convolution GEMMs.

#include <array>
#include <cstddef>
#include <string>

#include "xgrad/ops/conv.hpp"

namespace xgrad::detail {

/// Where each window of a convolution or pooling sits over the input.
struct Window {
    std::size_t n = 0, h = 0, w = 0, c = 0;  ///< input (N, H, W, C)
    std::size_t kh = 0, kw = 0;              ///< taps per window
    std::size_t sh = 1, sw = 1;              ///< strides
    std::size_t dh = 1, dw = 1;              ///< dilation
    std::size_t oh = 0, ow = 0;              ///< output height, width
    std::size_t pt = 0, pl = 0;              ///< zero rows above, columns to the left

    /// Output positions over the batch: the GEMM's row count.
    std::size_t rows() const { return n * oh * ow; }
    /// Elements of one patch, ordered (kh, kw, C): the GEMM's inner dimension.
    std::size_t patch() const { return kh * kw * c; }
    /// Input row of tap `a` of output row `i` (may fall in the padding: < 0 or >= h).
    std::ptrdiff_t in_row(std::size_t i, std::size_t a) const {
        return std::ptrdiff_t(i * sh + a * dh) - std::ptrdiff_t(pt);
    }
    /// Input column of tap `b` of output column `j`.
    std::ptrdiff_t in_col(std::size_t j, std::size_t b) const {
        return std::ptrdiff_t(j * sw + b * dw) - std::ptrdiff_t(pl);
    }
};

/// The window geometry of `op` over `input` (N, H, W, C); ShapeError/ValueError name the op,
/// the input (`who` describes it) and the window when they do not fit.
Window make_window(const char* op, const std::string& who, const Shape& input, std::size_t kh, std::size_t kw,
                   std::array<std::size_t, 2> strides, std::array<std::size_t, 2> dilation, Padding padding);

/// Copies every patch of x (the window's input) into `cols` (rows() x patch()), zeros for
/// taps in the padding.
void im2col(const float* x, const Window& g, float* cols);
/// The adjoint of im2col: adds each patch row back into dx (zeroed first) at its taps.
void col2im(const float* cols, const Window& g, float* dx);
/// im2col of images [n0, n1) only, into cols from its first row (one thread).
void im2col_images(const float* x, const Window& g, std::size_t n0, std::size_t n1, float* cols);
/// col2im of images [n0, n1) only: cols holds their patch rows; zeroes and fills those images of dx.
void col2im_images(const float* cols, const Window& g, std::size_t n0, std::size_t n1, float* dx);

}  // namespace xgrad::detail
