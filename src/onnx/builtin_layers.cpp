// Exporters of the built-in layers: Sequential (its layers in order), Dense (Gemm + activation).
#include "onnx/builtin_layers.hpp"

#include "onnx/layer_helpers.hpp"

#include "xgrad/format.hpp"
#include "xgrad/nn/dense.hpp"
#include "xgrad/nn/sequential.hpp"

namespace xgrad::onnx {

std::string layer_scope(const nn::Module& layer) {
    if (!layer.path().empty()) return layer.path();
    if (!layer.name().empty()) return layer.name();
    return layer.type_name();
}

std::string emit_activation(nn::Activation a, const std::string& x, const std::string& scope, GraphBuilder& graph) {
    switch (a) {
        case nn::Activation::Linear: return x;
        case nn::Activation::Relu: return graph.node("Relu", {x}, scope);
        case nn::Activation::Sigmoid: return graph.node("Sigmoid", {x}, scope);
        case nn::Activation::Tanh: return graph.node("Tanh", {x}, scope);
        // Opset 13+ Softmax normalises along `axis` alone, as xgrad's softmax(x, -1) does.
        case nn::Activation::Softmax: return graph.node("Softmax", {x}, scope, {{"axis", std::int64_t{-1}}});
    }
    throw ValueError("onnx::export_model: activation '" + nn::to_string(a) + "' has no ONNX form");
}

namespace {

using detail::as;
using detail::require_built;
using detail::single_input;

// y = activation(x·W + b) as Gemm(x, W, b): Gemm's B is (K, N) without transB, exactly the
// kernel's layout, so the weights are written as they are.
Value emit_dense(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph) {
    const auto& dense = as<nn::Dense>(layer, "Dense");
    require_built(dense);
    const Value& x = single_input(layer, inputs);
    const std::string scope = layer_scope(dense);
    if (x.shape != Shape{dense.input_dim()}) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (Dense) expects per-sample inputs of shape " +
                         shape_str(Shape{dense.input_dim()}) + ", got " + shape_str(x.shape));
    }
    std::vector<std::string> in{x.name, graph.initializer(dense.kernel().label(), dense.kernel().value())};
    if (dense.bias().defined()) in.push_back(graph.initializer(dense.bias().label(), dense.bias().value()));
    std::string y = graph.node("Gemm", in, scope);
    y = emit_activation(*dense.activation(), y, scope, graph);
    return {y, {dense.units()}};
}

Value emit_sequential(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph) {
    const auto& model = as<nn::Sequential>(layer, "Sequential");
    if (model.layers().empty()) {
        throw ValueError("onnx::export_model: model '" + model.name() + "' (Sequential) has no layers");
    }
    Value v = single_input(layer, inputs);
    for (const auto& child : model.layers()) v = emit_layer(*child, {v}, graph);
    return v;
}

}  // namespace

void register_builtin_layers(std::map<std::string, LayerExporter>& table) {
    register_conv_layers(table);
    register_merge_layers(table);
    table["Dense"] = {emit_dense, [](const nn::Module& m) -> std::optional<Shape> {
                          const auto& d = as<nn::Dense>(m, "Dense");
                          if (d.input_dim() == 0) return std::nullopt;
                          return Shape{d.input_dim()};
                      }};
    table["Sequential"] = {emit_sequential, [](const nn::Module& m) -> std::optional<Shape> {
                               const auto& s = as<nn::Sequential>(m, "Sequential");
                               if (s.layers().empty()) return std::nullopt;
                               return layer_input_shape(*s.layers().front());
                           }};
}

}  // namespace xgrad::onnx
