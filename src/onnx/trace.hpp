#pragma once
// The traced export of modules that have no registered exporter (a user's nn::Module subclass
// with an arbitrary forward): trace.cpp runs the forward once and walks the recorded graph,
// traced_ops.cpp turns each recorded op into ONNX nodes.
#include <functional>
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/onnx/graph_builder.hpp"

namespace xgrad::onnx::detail {

/// Emits `module` by tracing: its forward runs once in inference mode on a sample batch shaped
/// like `inputs` (floats; again on row indices 0 when the forward refuses them, as gather
/// does), and the recorded ops between the samples and the outputs become ONNX nodes, each
/// once however many outputs read it. Returns one value per output (a Model's forward_all may
/// return several). An error of the forward itself gets the module's name in front and keeps
/// its type; any other std::exception it throws (user code) becomes a ValueError with the same
/// prefix and its what() text (std::bad_alloc passes unchanged).
std::vector<Value> emit_traced(const nn::Module& module, const std::vector<Value>& inputs, GraphBuilder& graph);

/// What an op's emitter needs to know about the trace it is part of.
struct TraceContext {
    const nn::Module& module;  ///< the traced module (for messages)
    std::string scope;         ///< its layer_scope, the prefix of node names
    std::size_t batch;         ///< the batch size of the trace
    /// The ONNX name of a recorded value: a graph input, an emitted node's output, or an
    /// initializer (created on first use) for a value that does not depend on the inputs.
    std::function<std::string(const Node&)> name_of;
    /// True when the value depends on a sample input (it carries the batch axis).
    std::function<bool(const Node&)> on_batch;

    /// ValueError "onnx::export_model: module '<scope>' (<type>) <what>".
    [[noreturn]] void fail(const std::string& what) const;
};

/// Emits recorded node `node` (whose value depends on the inputs) and returns its ONNX value
/// name; ValueError naming the op and its shapes for an op the traced export does not map.
std::string emit_traced_op(const Node& node, const TraceContext& ctx, GraphBuilder& graph);

/// The ops the traced export maps, comma separated (for messages and docs).
std::string traced_ops();

}  // namespace xgrad::onnx::detail
