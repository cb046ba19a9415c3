#pragma once
// The exporters of the library's own layers, added to the registry on first use.
#include <map>
#include <string>

#include "xgrad/onnx/registry.hpp"

namespace xgrad::onnx {

void register_builtin_layers(std::map<std::string, LayerExporter>& table);
// Conv2D, pooling, Flatten, Reshape, Dropout, BatchNormalization, Embedding (conv_layers.cpp).
void register_conv_layers(std::map<std::string, LayerExporter>& table);
// Add, Subtract, Multiply, Average, Concatenate and nested functional models (functional.cpp).
void register_merge_layers(std::map<std::string, LayerExporter>& table);

}  // namespace xgrad::onnx
