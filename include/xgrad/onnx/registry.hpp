#pragma once
/// @file registry.hpp
/// The per-layer-kind exporter registry: a layer's type_name() ("Dense") maps to the function
/// that emits its ONNX nodes. Built-in layers are registered by the library; a new layer
/// plugs in with register_layer_exporter(), without touching the exporter. A layer whose type
/// has no exporter is traced (emit_layer) instead.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/onnx/graph_builder.hpp"

namespace xgrad::onnx {

/// Emits the nodes of `layer` reading `inputs` (one for ordinary layers, several for merge
/// layers) and returns the layer's output value.
using LayerEmitter = std::function<Value(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph)>;
/// Emits the nodes of a layer that may have several outputs (a functional model used as a
/// layer, Module::call_all) and returns one value per output, in the layer's output order.
using LayerMultiEmitter =
    std::function<std::vector<Value>(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph)>;

/// How one layer kind is exported.
struct LayerExporter {
    /// Emits the layer's nodes.
    LayerEmitter emit;
    /// The per-sample input shape the layer knows by itself (Dense: {input_dim} once built),
    /// used when the layer is the first of the exported model. Optional.
    std::function<std::optional<Shape>(const nn::Module& layer)> input_shape = {};
    /// Emits a layer with any number of outputs; when set, emit_layer_all uses it instead of
    /// `emit`. `emit` may then be left empty: registration fills it with emit_all checked for
    /// one output (a ValueError naming the layer and its count otherwise). Optional.
    LayerMultiEmitter emit_all = {};
};

/// Registers (or replaces) the exporter for layers whose type_name() is `type_name`
/// (ValueError for an empty name, or when neither `emit` nor `emit_all` is set).
void register_layer_exporter(const std::string& type_name, LayerExporter exporter);
/// The exporter for `type_name`, or nullptr when none is registered.
const LayerExporter* find_layer_exporter(const std::string& type_name);
/// The registered type names, sorted and comma separated (for messages).
std::string exportable_layer_types();

/// Emits `layer` through its registered exporter (exporters of containers call this per child).
/// When none is registered for its type_name(), the layer is traced: its forward runs once in
/// inference mode with recording on, on a deterministic sample batch shaped like `inputs`, and
/// the recorded ops from the inputs to the output are emitted one by one (parameters as
/// initializers under their dotted names, values computed from weights alone folded into
/// initializers). Its training flags, weights and gradients are left as they were.
/// ValueError naming the layer, the op and its traced shapes for an op the trace does not map,
/// for work across the batch axis (a reduction over it, a reshape that moves it, a constant made
/// in forward whose first axis is the batch), or for an unbuilt submodule. The layer must have
/// one output (ValueError naming the layer and its count otherwise; see emit_layer_all).
Value emit_layer(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph);
/// emit_layer for a layer with any number of outputs (a functional model with several outputs,
/// a traced module whose forward_all returns several): one value per output, in order. The
/// layer's nodes are emitted once, whichever outputs are read.
std::vector<Value> emit_layer_all(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph);
/// The per-sample input shape `layer` knows by itself (nullopt when it cannot tell).
std::optional<Shape> layer_input_shape(const nn::Module& layer);

/// The label used for a layer's node names: its dotted path ("dense_1"), else its name, else
/// its type name.
std::string layer_scope(const nn::Module& layer);
/// Emits activation `a` on value `x` (Relu, Sigmoid, Tanh, Softmax over the last axis; Linear
/// adds nothing) and returns the resulting value name.
std::string emit_activation(nn::Activation a, const std::string& x, const std::string& scope, GraphBuilder& graph);

}  // namespace xgrad::onnx
