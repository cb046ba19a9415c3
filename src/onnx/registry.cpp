// The layer-kind -> exporter table. Built-in exporters are added on first use (no static
// initialisation order to depend on); users add theirs with register_layer_exporter().
#include "xgrad/onnx/registry.hpp"

#include <map>
#include <mutex>

#include "onnx/builtin_layers.hpp"
#include "onnx/trace.hpp"
#include "xgrad/error.hpp"

namespace xgrad::onnx {

namespace {

// One value from a layer that may have several (emit_all): anything else is the error
// emit_layer gives, naming the layer and its count.
Value single_output(const nn::Module& layer, std::vector<Value> out) {
    if (out.size() != 1) {
        throw ValueError("onnx::export_model: layer '" + layer_scope(layer) + "' (" + layer.type_name() + ") has " +
                         std::to_string(out.size()) + " outputs where one value is expected (as in a Sequential); "
                         "use it in a functional model, calling it with call_all");
    }
    return std::move(out[0]);
}

// An exporter with only emit_all also answers emit (one output), so that a caller of
// find_layer_exporter(...)->emit never meets an empty std::function.
LayerExporter with_single_emit(LayerExporter e) {
    if (!e.emit && e.emit_all) {
        e.emit = [all = e.emit_all](const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph) {
            return single_output(layer, all(layer, inputs, graph));
        };
    }
    return e;
}

struct Registry {
    std::mutex mutex;
    std::map<std::string, LayerExporter> exporters;
    Registry() {
        register_builtin_layers(exporters);
        for (auto& [name, e] : exporters) e = with_single_emit(std::move(e));
    }
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

void register_layer_exporter(const std::string& type_name, LayerExporter exporter) {
    if (type_name.empty()) throw ValueError("onnx::register_layer_exporter: empty layer type name");
    if (!exporter.emit && !exporter.emit_all) {
        throw ValueError("onnx::register_layer_exporter: no emit function for '" + type_name +
                         "' (set emit, or emit_all for a layer with several outputs)");
    }
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.exporters[type_name] = with_single_emit(std::move(exporter));
}

const LayerExporter* find_layer_exporter(const std::string& type_name) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    auto it = r.exporters.find(type_name);
    // std::map nodes are stable: the pointer stays valid unless this type is re-registered.
    return it == r.exporters.end() ? nullptr : &it->second;
}

std::string exportable_layer_types() {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::string s;
    for (const auto& [name, e] : r.exporters) s += (s.empty() ? "" : ", ") + name;
    return s;
}

std::vector<Value> emit_layer_all(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph) {
    // A registered exporter wins; anything else (a user's Module subclass) is traced.
    const LayerExporter* e = find_layer_exporter(layer.type_name());
    if (e == nullptr) return detail::emit_traced(layer, inputs, graph);
    if (e->emit_all) return e->emit_all(layer, inputs, graph);
    return {e->emit(layer, inputs, graph)};
}

Value emit_layer(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& graph) {
    const LayerExporter* e = find_layer_exporter(layer.type_name());
    if (e != nullptr) return e->emit(layer, inputs, graph);  // every registered exporter has emit
    return single_output(layer, detail::emit_traced(layer, inputs, graph));
}

std::optional<Shape> layer_input_shape(const nn::Module& layer) {
    const LayerExporter* e = find_layer_exporter(layer.type_name());
    if (e == nullptr || !e->input_shape) return std::nullopt;
    return e->input_shape(layer);
}

}  // namespace xgrad::onnx
