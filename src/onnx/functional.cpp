// Exporters of functional models (their layer graph in topological order) and of the merge
// layers: Add (Add, or Sum for more than two), Subtract (Sub), Multiply (Mul), Average (Mean),
// Concatenate (Concat).
#include "onnx/functional.hpp"

#include "nn/functional_graph.hpp"
#include "onnx/builtin_layers.hpp"
#include "onnx/layer_helpers.hpp"
#include "xgrad/format.hpp"
#include "xgrad/nn/merge.hpp"

namespace xgrad::onnx {

std::vector<Value> emit_functional(const nn::Model& model, const std::vector<Value>& inputs, GraphBuilder& graph) {
    const auto& g = model.functional_graph();
    if (!g) throw ValueError("onnx::export_model: model '" + model.name() + "' is not a functional model");
    if (inputs.size() != g->inputs.size()) {
        throw ValueError("onnx::export_model: model '" + model.name() + "' takes " + std::to_string(g->inputs.size()) +
                         " inputs, got " + std::to_string(inputs.size()));
    }
    // One value per output of each node (several for a model with several outputs used as a
    // layer); an edge reads the output its slot names.
    std::vector<std::vector<Value>> values(g->nodes.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) values[g->inputs[i]] = {inputs[i]};
    // Nodes come in an order where every node's inputs precede it. A node is one call of its
    // layer, emitted once whichever of its outputs are read; a shared layer is emitted once per
    // call, every call reading the one copy of its weights (GraphBuilder::initializer).
    for (std::size_t p = 0; p < g->nodes.size(); ++p) {
        const auto& node = g->nodes[p];
        if (!node.layer) continue;
        std::vector<Value> in;
        for (std::size_t k = 0; k < node.inputs.size(); ++k) {
            in.push_back(values[node.inputs[k]].at(node.input_slots[k]));
        }
        values[p] = emit_layer_all(*node.layer, in, graph);
        if (values[p].size() != node.shapes.size()) {
            throw ValueError("onnx::export_model: layer '" + layer_scope(*node.layer) + "' (" +
                             node.layer->type_name() + ") of model '" + model.name() + "' exports " +
                             std::to_string(values[p].size()) + " outputs, but the model called it for " +
                             std::to_string(node.shapes.size()));
        }
    }
    std::vector<Value> out;
    for (std::size_t i = 0; i < g->outputs.size(); ++i) out.push_back(values[g->outputs[i]].at(g->output_slots[i]));
    return out;
}

namespace {

using detail::as;

// The inputs of a merge layer: two or more (exactly `arity` when non-zero) of one shape.
void check_merge(const nn::Module& layer, const std::vector<Value>& inputs, std::size_t arity, bool same_shape) {
    const std::string scope = layer_scope(layer);
    if (inputs.size() < 2 || (arity != 0 && inputs.size() != arity)) {
        throw ValueError("onnx::export_model: layer '" + scope + "' (" + layer.type_name() + ") takes " +
                         (arity ? std::to_string(arity) : std::string("two or more")) + " inputs, got " +
                         std::to_string(inputs.size()));
    }
    for (const auto& v : inputs) {
        if (same_shape && v.shape != inputs[0].shape) {
            throw ShapeError("onnx::export_model: layer '" + scope + "' (" + layer.type_name() +
                             ") gets inputs of shapes " + shape_str(inputs[0].shape) + " and " + shape_str(v.shape));
        }
    }
}

std::vector<std::string> names(const std::vector<Value>& values) {
    std::vector<std::string> n;
    for (const auto& v : values) n.push_back(v.name);
    return n;
}

// x_1 op x_2 op ... as a chain of binary nodes (xgrad folds its merges left to right too).
std::string fold(const char* op, const std::vector<Value>& inputs, const std::string& scope, GraphBuilder& g) {
    std::string acc = inputs[0].name;
    for (std::size_t i = 1; i < inputs.size(); ++i) acc = g.node(op, {acc, inputs[i].name}, scope);
    return acc;
}

Value emit_add(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::Add>(layer, "Add");
    check_merge(layer, inputs, 0, true);
    return {fold("Add", inputs, layer_scope(layer), g), inputs[0].shape};
}

Value emit_subtract(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::Subtract>(layer, "Subtract");
    check_merge(layer, inputs, 2, true);
    return {g.node("Sub", names(inputs), layer_scope(layer)), inputs[0].shape};
}

Value emit_multiply(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::Multiply>(layer, "Multiply");
    check_merge(layer, inputs, 0, true);
    return {fold("Mul", inputs, layer_scope(layer), g), inputs[0].shape};
}

Value emit_average(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::Average>(layer, "Average");
    check_merge(layer, inputs, 0, true);
    return {g.node("Mean", names(inputs), layer_scope(layer)), inputs[0].shape};
}

// Concat along the layer's axis (counted with the batch axis, negative from the end).
Value emit_concatenate(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& concat = as<nn::Concatenate>(layer, "Concatenate");
    check_merge(layer, inputs, 0, false);
    const std::string scope = layer_scope(layer);
    const auto rank = static_cast<int>(inputs[0].shape.size()) + 1;
    const int axis = concat.axis() < 0 ? concat.axis() + rank : concat.axis();
    if (axis <= 0 || axis >= rank) {
        throw ValueError("onnx::export_model: layer '" + scope + "' (Concatenate) cannot join along axis " +
                         std::to_string(concat.axis()) + " of inputs " + shape_str(inputs[0].shape));
    }
    Shape out = inputs[0].shape;
    const auto a = static_cast<std::size_t>(axis - 1);
    for (std::size_t i = 1; i < inputs.size(); ++i) {
        Shape s = inputs[i].shape, t = inputs[0].shape;
        if (s.size() != t.size() || (s[a] = t[a], s != t)) {
            throw ShapeError("onnx::export_model: layer '" + scope + "' (Concatenate) cannot join " +
                             shape_str(inputs[0].shape) + " and " + shape_str(inputs[i].shape));
        }
        out[a] += inputs[i].shape[a];
    }
    return {g.node("Concat", names(inputs), scope, {{"axis", std::int64_t{axis}}}), out};
}

// A functional model used as a layer of another model: one value per output.
std::vector<Value> emit_nested_functional(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    return emit_functional(as<nn::Model>(layer, "Model"), inputs, g);
}

}  // namespace

void register_merge_layers(std::map<std::string, LayerExporter>& table) {
    table["Add"] = {emit_add};
    table["Subtract"] = {emit_subtract};
    table["Multiply"] = {emit_multiply};
    table["Average"] = {emit_average};
    table["Concatenate"] = {emit_concatenate};
    table["Functional"] = {.emit = {}, .emit_all = emit_nested_functional};
}

}  // namespace xgrad::onnx
