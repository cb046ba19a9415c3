// Models as configs and back (Keras' Functional/Sequential get_config and from_config). A
// functional model is written as its Inputs, its layers (each once, however often called), its
// layer calls in graph order and its outputs; a call's inputs and the model's outputs refer to
// tensors as [layer or Input name, call index, output index], Keras' [name, node, tensor].
// Rebuilding calls the rebuilt layers in that order, so shared layers and models used as layers
// come back shared, and automatic names are renumbered exactly as they were.
#include <nlohmann/json.hpp>

#include <map>

#include "json_config.hpp"
#include "nn/functional_graph.hpp"
#include "nn/registry.hpp"
#include "xgrad/nn/sequential.hpp"

namespace xgrad::nn {

using nlohmann::json;
using xgrad::detail::ConfigReader;

namespace {

json shape_json(const Shape& s) { return json(std::vector<std::size_t>(s.begin(), s.end())); }

Shape shape_from(ConfigReader& r, const std::string& key) {
    const auto v = r.get<std::vector<std::size_t>>(key);
    return Shape(v.begin(), v.end());
}

// The name and automatic flag a model's config carries.
struct SavedName {
    std::string name;
    bool automatic = false;
};

SavedName saved_name(ConfigReader& r) { return {r.get<std::string>("name", ""), r.get<bool>("automatic_name", false)}; }

// The tensors each rebuilt layer call produced: name -> one list of outputs per call.
using Calls = std::map<std::string, std::vector<std::vector<SymbolicTensor>>>;

SymbolicTensor resolve(const json& ref, const Calls& calls, const std::string& where) {
    static const json none = json::object();
    ConfigReader r(none, where);
    if (!ref.is_array() || ref.size() != 3 || !ref[0].is_string()) {
        r.fail("a tensor reference must be [name, call, output], got " + ConfigReader::brief(ref));
    }
    const auto name = ref[0].get<std::string>();
    const auto call = r.as<std::size_t>(ref[1], "call"), slot = r.as<std::size_t>(ref[2], "output");
    auto it = calls.find(name);
    if (it == calls.end() || call >= it->second.size() || slot >= it->second[call].size()) {
        r.fail("tensor ['" + name + "', " + std::to_string(call) + ", " + std::to_string(slot) +
               "] is not an Input or the output of an earlier layer call");
    }
    return it->second[call][slot];
}

std::shared_ptr<Model> functional_from_config(ConfigReader& r, const SavedName& n) {
    std::vector<SymbolicTensor> inputs;
    Calls calls;
    const json& ins = r.raw("inputs");
    if (!ins.is_array()) r.fail("config key 'inputs' must be a list");
    for (const auto& in : ins) {
        ConfigReader ir(in, "an input");
        const auto name = ir.get<std::string>("name");
        const Shape shape = shape_from(ir, "shape");
        ir.done();
        if (calls.count(name)) r.fail("two inputs or layers are named '" + name + "'");
        inputs.push_back(Input(shape, name));
        calls[name].push_back({inputs.back()});
    }
    std::map<std::string, std::shared_ptr<Module>> layers;
    const json& entries = r.raw("layers");
    if (!entries.is_array()) r.fail("config key 'layers' must be a list");
    for (const auto& entry : entries) {
        auto layer = layer_from_json(entry);
        if (calls.count(layer->name()) || !layers.emplace(layer->name(), layer).second) {
            r.fail("two inputs or layers are named '" + layer->name() + "'");
        }
    }
    const json& nodes = r.raw("nodes");
    if (!nodes.is_array()) r.fail("config key 'nodes' must be a list");
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        ConfigReader nr(nodes[k], "layer call " + std::to_string(k));
        const auto name = nr.get<std::string>("layer");
        const json& refs = nr.raw("inputs");
        nr.done();
        auto it = layers.find(name);
        if (it == layers.end()) nr.fail("calls layer '" + name + "', which is not among the model's layers");
        if (!refs.is_array()) nr.fail("'inputs' must be a list of tensor references");
        std::vector<SymbolicTensor> args;
        for (const auto& ref : refs) args.push_back(resolve(ref, calls, "layer call " + std::to_string(k) + " ('" + name + "')"));
        calls[name].push_back(it->second->call_all(args));
    }
    std::vector<SymbolicTensor> outputs;
    const json& outs = r.raw("outputs");
    if (!outs.is_array()) r.fail("config key 'outputs' must be a list");
    for (const auto& ref : outs) outputs.push_back(resolve(ref, calls, "output " + std::to_string(outputs.size())));
    r.done();
    return std::make_shared<Model>(std::move(inputs), std::move(outputs), n.name);
}

}  // namespace

json Model::config() const {
    if (wrapped_) {
        if (detail::registered_type_name(*wrapped_).empty()) {
            try {
                layer_to_json(*wrapped_);
            } catch (const ValueError& e) {
                throw ValueError("model '" + name() + "' (Model) wraps a Module subclass with its own forward, which a "
                                 "saved file cannot hold: " + e.what());
            }
        }
        return {{"module", detail::layer_entry_in(*wrapped_, name())}};
    }
    if (!graph_) {
        // A registered subclass describes itself (its factory reads what its config() wrote).
        if (typeid(*this) != typeid(Model)) return json::object();
        throw ValueError("model '" + name() + "' has no architecture to save: it is neither functional (built from "
                         "nn::Input tensors) nor wraps a module, and has no forward of its own");
    }
    const auto& g = *graph_;
    json inputs = json::array(), layers = json::array(), nodes = json::array(), outputs = json::array();
    auto ref = [&](std::size_t p, std::size_t slot) { return json::array({g.name(p), g.nodes[p].call, slot}); };
    for (std::size_t p : g.inputs) inputs.push_back({{"name", g.nodes[p].input_name}, {"shape", shape_json(g.nodes[p].shapes[0])}});
    for (const auto& layer : g.layers) layers.push_back(detail::layer_entry_in(*layer, name()));
    for (std::size_t p = 0; p < g.nodes.size(); ++p) {
        const auto& n = g.nodes[p];
        if (!n.layer) continue;
        json args = json::array();
        for (std::size_t k = 0; k < n.inputs.size(); ++k) args.push_back(ref(n.inputs[k], n.input_slots[k]));
        nodes.push_back({{"layer", n.layer->name()}, {"inputs", std::move(args)}});
    }
    for (std::size_t i = 0; i < g.outputs.size(); ++i) outputs.push_back(ref(g.outputs[i], g.output_slots[i]));
    return {{"inputs", std::move(inputs)}, {"layers", std::move(layers)}, {"nodes", std::move(nodes)}, {"outputs", std::move(outputs)}};
}

std::shared_ptr<Model> Model::from_config(const json& config) {
    ConfigReader r(config, "");
    const SavedName n = saved_name(r);
    std::shared_ptr<Model> model;
    if (r.has("module")) {
        auto module = layer_from_json(r.raw("module"));
        r.done();
        model = std::make_shared<Model>(std::move(module), n.name);
    } else {
        if (!r.has("inputs")) r.fail("a model's config needs 'inputs', 'layers', 'nodes' and 'outputs' (or 'module')");
        model = functional_from_config(r, n);
    }
    // The saved name, automatic or not (an empty one, from a hand-written config, keeps the
    // automatic name the constructor drew).
    if (!n.name.empty()) model->restore_name(n.name, n.automatic);
    return model;
}

json Sequential::config() const {
    json layers = json::array();
    for (const auto& layer : layers_) layers.push_back(detail::layer_entry_in(*layer, name()));
    json c = {{"layers", std::move(layers)}};
    const auto shapes = input_shapes();
    if (shapes.size() == 1) c["input_shape"] = shape_json(shapes[0]);
    return c;
}

std::shared_ptr<Sequential> Sequential::from_config(const json& config) {
    ConfigReader r(config, "");
    const SavedName n = saved_name(r);
    auto model = std::make_shared<Sequential>(n.name);
    if (!n.name.empty()) model->restore_name(n.name, n.automatic);
    const json& layers = r.raw("layers");
    if (!layers.is_array()) r.fail("config key 'layers' must be a list");
    for (const auto& entry : layers) model->add(layer_from_json(entry));
    if (r.has("input_shape")) model->build(shape_from(r, "input_shape"));
    r.done();
    return model;
}

}  // namespace xgrad::nn
