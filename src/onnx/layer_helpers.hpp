#pragma once
// Checks shared by the built-in layer exporters.
#include <string>
#include <vector>

#include "xgrad/error.hpp"
#include "xgrad/onnx/registry.hpp"

namespace xgrad::onnx::detail {

// The layer as its class; a different class that reuses the type name is a clear error.
template <class T>
const T& as(const nn::Module& layer, const char* type) {
    const T* p = dynamic_cast<const T*>(&layer);
    if (p == nullptr) {
        throw ValueError("onnx::export_model: layer '" + layer_scope(layer) + "' says its type is " + type +
                         " but is not an xgrad::nn::" + type + "; register an exporter for its own type name");
    }
    return *p;
}

// The one input of a single-input layer; ValueError otherwise.
inline const Value& single_input(const nn::Module& layer, const std::vector<Value>& inputs) {
    if (inputs.size() != 1) {
        throw ValueError("onnx::export_model: layer '" + layer_scope(layer) + "' (" + layer.type_name() +
                         ") takes one input, got " + std::to_string(inputs.size()));
    }
    return inputs[0];
}

inline void require_built(const nn::Module& layer) {
    if (!layer.built()) {
        throw ValueError("onnx::export_model: layer '" + layer_scope(layer) + "' (" + layer.type_name() +
                         ") is not built; give it an input shape or run the model once before exporting");
    }
}

}  // namespace xgrad::onnx::detail
