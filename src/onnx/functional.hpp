#pragma once
// Functional models: every layer call of the model's graph, in order.
#include <vector>

#include "xgrad/nn/model.hpp"
#include "xgrad/onnx/graph_builder.hpp"

namespace xgrad::onnx {

/// Emits the layers of functional `model` reading `inputs` (one per model input); returns one
/// value per model output.
std::vector<Value> emit_functional(const nn::Model& model, const std::vector<Value>& inputs, GraphBuilder& graph);

}  // namespace xgrad::onnx
