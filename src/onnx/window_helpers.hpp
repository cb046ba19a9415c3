#pragma once
// Shared by the convnet layer exporters (conv_layers.cpp) and the traced export of conv2d and
// pooling ops (traced_ops.cpp): xgrad is channels-last (N, H, W, C) as Keras, ONNX's Conv and
// pools are channels-first (N, C, H, W), so each is wrapped in a Transpose pair whose
// back-to-back halves ONNX Runtime's optimizer cancels between layers.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "xgrad/ops/conv.hpp"
#include "xgrad/onnx/graph_builder.hpp"

namespace xgrad::onnx::detail {

/// (N, d1, ..., C) -> (N, C, d1, ...) for a per-sample rank `rank`.
std::string to_channels_first(const std::string& x, std::size_t rank, const std::string& scope, GraphBuilder& g);
/// (N, C, d1, ...) -> (N, d1, ..., C).
std::string to_channels_last(const std::string& x, std::size_t rank, const std::string& scope, GraphBuilder& g);

/// A window's ONNX attributes for input (H, W): kernel_shape, strides, dilations and explicit
/// pads [top, left, bottom, right] reproducing TensorFlow's 'same' (the odd element after).
struct Window {
    std::vector<std::int64_t> kernel, strides, dilations, pads;
    Shape out;  ///< (OH, OW)
};

/// The window of kernel `k`, strides `s` and dilation `d` over per-sample input `in` (H, W, ...).
Window window(const Shape& in, std::array<std::size_t, 2> k, std::array<std::size_t, 2> s,
              std::array<std::size_t, 2> d, Padding padding);

}  // namespace xgrad::onnx::detail
