#pragma once
/// @file conv.hpp
/// 2-D convolution and pooling in Keras' channels_last layout: images are (N, H, W, C),
/// kernels (kh, kw, C, F). Convolution runs as im2col + one sgemm; its backward ops are
/// themselves recorded ops with their own derivatives, so `create_graph` works through them.

#include <array>
#include <cstddef>
#include <string>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Border handling of convolution and pooling windows (Keras/TensorFlow semantics).
enum class Padding {
    Valid,  ///< no padding: out = floor((in - window) / stride) + 1
    Same,   ///< zero padding (split evenly, the extra one after): out = ceil(in / stride)
};

/// The padding called `name` ("valid" or "same"); ValueError naming the valid ones otherwise.
Padding padding_from_string(const std::string& name);
/// "valid" or "same".
std::string to_string(Padding p);

/// Output length of a window sliding over `input` elements along one axis (TensorFlow's
/// rule): valid: floor((input - span) / stride) + 1 with span = (window - 1)·dilation + 1,
/// or 0 when the window does not fit; same: ceil(input / stride).
std::size_t conv_output_length(std::size_t input, std::size_t window, std::size_t stride, std::size_t dilation,
                               Padding padding);

/// Options of conv2d (Keras' Conv2D arguments of the same names).
struct Conv2DOptions {
    std::array<std::size_t, 2> strides{1, 1};        ///< step of the window (rows, columns), > 0
    Padding padding = Padding::Valid;                ///< valid or same
    std::array<std::size_t, 2> dilation_rate{1, 1};  ///< gap between kernel taps (1 = dense)
};

/// 2-D cross-correlation (what deep-learning libraries call convolution):
/// y[n, i, j, f] = Σ_{a, b, c} x[n, i·sh + a·dh - pt, j·sw + b·dw - pl, c] · K[a, b, c, f],
/// computed as Y = im2col(x) · K: for patches (kh·kw·C) over 32 elements, chunk by chunk of
/// the batch (im2col and the product of ~256 KB of patches at a time, the chunks on several
/// threads); for smaller patches, one vectorised loop over all N·OH·OW positions.
/// x (N, H, W, C), kernel (kh, kw, C, F) -> (N, OH, OW, F).
/// dK = im2col(x)ᵀ · dY (conv2d_backward_kernel), dx = col2im(dY · Kᵀ) (conv2d_backward_input).
Tensor conv2d(const Tensor& x, const Tensor& kernel, const Conv2DOptions& options = {});

/// conv2d(x, K) + b in one op (the Conv2D layer's linear part): the bias (F) is added while
/// each output row is still in cache instead of in a pass of its own. db = Σ over (N, OH, OW)
/// of dY; dK and dx as above.
Tensor conv2d(const Tensor& x, const Tensor& kernel, const Tensor& bias, const Conv2DOptions& options = {});

/// The input gradient of conv2d: col2im(g · Kᵀ), shaped `input_shape` (N, H, W, C).
/// Linear in g and K: d/dg = conv2d(h, K), d/dK = conv2d_backward_kernel(h, g).
Tensor conv2d_backward_input(const Tensor& g, const Tensor& kernel, const Shape& input_shape,
                             const Conv2DOptions& options = {});

/// The kernel gradient of conv2d: im2col(x)ᵀ · g, shaped `kernel_shape` (kh, kw, C, F).
/// d/dx = conv2d_backward_input(g, H), d/dg = conv2d(x, H).
Tensor conv2d_backward_kernel(const Tensor& x, const Tensor& g, const Shape& kernel_shape,
                              const Conv2DOptions& options = {});

/// Options of the pooling ops (Keras' MaxPooling2D / AveragePooling2D arguments).
struct Pool2DOptions {
    std::array<std::size_t, 2> pool_size{2, 2};  ///< window (rows, columns), > 0
    std::array<std::size_t, 2> strides{0, 0};    ///< step; {0, 0} = pool_size (Keras' None)
    Padding padding = Padding::Valid;            ///< same: windows at the border see fewer elements
};

/// Maximum over each window, per channel: x (N, H, W, C) -> (N, OH, OW, C). One pass.
/// The max takes the gradient: dx[i] = Σ_windows dy · [x[i] is the window's max] / ties
/// (split evenly between tied maxima, like xgrad::max). Padding never wins a window.
Tensor max_pool2d(const Tensor& x, const Pool2DOptions& options = {});

/// Mean over each window, per channel (with same padding, over the elements inside the
/// image, as TensorFlow). dx[i] = Σ_windows containing i  dy / window_count.
Tensor avg_pool2d(const Tensor& x, const Pool2DOptions& options = {});

/// Mean over the spatial axes: x (N, H, W, C) -> (N, C).  dx = broadcast(dy) / (H·W)
Tensor global_avg_pool2d(const Tensor& x);

}  // namespace xgrad
