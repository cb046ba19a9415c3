#pragma once
// The exporters of the library's own layers, added to the registry on first use.
#include <map>
#include <string>

#include "xgrad/onnx/registry.hpp"

namespace xgrad::onnx {

void register_builtin_layers(std::map<std::string, LayerExporter>& table);

}  // namespace xgrad::onnx
