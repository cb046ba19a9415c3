// The layer-type registry (type name -> C++ type and factory) and a layer's JSON entry both
// ways. Built-in types are added on first use (no static initialisation order to depend on);
// users add theirs with register_layer_type().
#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <nlohmann/json.hpp>

#include "json_config.hpp"
#include "nn/registry.hpp"
#include "xgrad/nn/sequential.hpp"

namespace xgrad::nn {

using nlohmann::json;

namespace {

struct Registry {
    std::mutex mutex;
    std::map<std::string, detail::LayerType> types;
    Registry() { detail::register_builtin_layers(types); }
};

Registry& registry() {
    static Registry r;
    return r;
}

std::string known_types() {
    std::string s;
    for (const auto& n : registered_layer_types()) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// The message for a layer that cannot be written: what it is, why, and the two ways out.
std::string unregistered(const Module& layer) {
    const std::string cpp = detail::cpp_type_name(layer);
    const auto known = registered_layer_types();
    const bool name_taken = std::find(known.begin(), known.end(), layer.type_name()) != known.end();
    // The name to suggest: its type_name(), unless a built-in type (or the default "Module")
    // holds it, then the C++ class name without its namespaces.
    std::string suggested = layer.type_name();
    if (name_taken || suggested == "Module") {
        suggested = cpp.substr(cpp.rfind("::") == std::string::npos ? 0 : cpp.rfind("::") + 2);
    }
    const std::string who = "'" + layer.name() + "' (" + layer.type_name() + ", C++ type " + cpp + ")";
    const std::string ways = "Save its weights with save_weights(path) and rebuild the model in code to load them, or "
                             "register the type so that load_model can rebuild it: nn::register_layer_type<" + cpp +
                             ">(\"" + suggested + "\", factory), with a config() override holding its constructor's "
                             "arguments (docs/models.md, \"Saving and loading a whole model\")";
    if (dynamic_cast<const Model*>(&layer) != nullptr) {
        return "model " + who + " is a subclassed model: its forward is C++ code, which a saved file cannot hold. " + ways;
    }
    if (name_taken) {
        return "layer " + who + " is not the " + layer.type_name() + " it names as its type: a subclass of a " +
               "registered layer may compute something else, so it is not saved as one. " + ways;
    }
    return "layer " + who + " has a type that is not registered for saving. " + ways;
}

}  // namespace

namespace detail {

std::string cpp_type_name(const Module& layer) {
    const char* mangled = typeid(layer).name();
    int status = 0;
    char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    std::string out = status == 0 && demangled ? demangled : mangled;
    std::free(demangled);
    return out;
}

std::string registered_type_name(const Module& layer) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    const std::type_index type(typeid(layer));
    auto it = r.types.find(layer.type_name());
    if (it != r.types.end() && it->second.type == type) return it->first;
    for (const auto& [name, t] : r.types) {
        if (t.type == type) return name;
    }
    return "";
}

json layer_entry_in(const Module& layer, const std::string& model) {
    try {
        return layer_to_json(layer);
    } catch (const ValueError& e) {
        throw ValueError("model '" + model + "': " + e.what());
    }
}

}  // namespace detail

void register_layer_type(const std::string& type_name, std::type_index type, LayerFactory factory) {
    if (type_name.empty()) throw ValueError("nn::register_layer_type: empty layer type name");
    if (!factory) throw ValueError("nn::register_layer_type: no factory for '" + type_name + "'");
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.types.insert_or_assign(type_name, detail::LayerType{type, std::move(factory)});
}

std::vector<std::string> registered_layer_types() {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    std::vector<std::string> out;
    for (const auto& [name, t] : r.types) out.push_back(name);
    return out;
}

json layer_to_json(const Module& layer) {
    const std::string type = detail::registered_type_name(layer);
    if (type.empty()) throw ValueError(unregistered(layer));
    json config = layer.config();
    if (!config.is_object()) {
        throw ValueError("layer '" + layer.name() + "' (" + type + "): config() returned " +
                         xgrad::detail::ConfigReader::brief(config) + ", not a JSON object");
    }
    config["name"] = layer.name();
    if (layer.has_automatic_name()) config["automatic_name"] = true;
    return {{"class_name", type}, {"config", std::move(config)}};
}

std::shared_ptr<Module> layer_from_json(const json& entry) {
    xgrad::detail::ConfigReader e(entry, "layer entry " + xgrad::detail::ConfigReader::brief(entry));
    const auto type = e.get<std::string>("class_name");
    const json& config = e.raw("config");
    e.done();
    std::string name;
    bool automatic = false;
    if (config.is_object()) {
        xgrad::detail::ConfigReader c(config, type + " layer");
        name = c.get<std::string>("name", "");
        automatic = c.get<bool>("automatic_name", false);
    }
    const std::string who = "layer '" + name + "' (" + type + ")";
    LayerFactory factory;
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        auto it = r.types.find(type);
        if (it != r.types.end()) factory = it->second.factory;
    }
    if (!factory) {
        throw ValueError(who + ": unknown layer type '" + type + "'; the types this program knows are " + known_types() +
                         ". A layer of your own must be registered (nn::register_layer_type<YourLayer>(\"" + type +
                         "\", factory)) before loading");
    }
    std::shared_ptr<Module> layer;
    try {
        layer = factory(config);
    } catch (const json::exception& x) {
        throw ValueError(who + ": bad config: " + x.what());
    } catch (const ShapeError& x) {
        throw ShapeError(who + ": " + x.what());
    } catch (const ValueError& x) {
        // A nested model's errors already name their layer: add this one's as the path to it.
        throw ValueError(who + ": " + x.what());
    }
    if (!layer) throw ValueError(who + ": the factory registered for '" + type + "' returned no layer");
    // Models name themselves in their factory: Module::set_name would make a root model's name
    // part of its parameters' labels (dense_1.kernel would draw as model.dense_1.kernel).
    if (!name.empty() && dynamic_cast<Model*>(layer.get()) == nullptr) {
        if (automatic) {
            layer->set_automatic_name(name);
        } else {
            layer->set_name(name);
        }
    }
    return layer;
}

std::string model_to_json(const Model& model, int indent) { return layer_to_json(model).dump(indent); }

std::shared_ptr<Model> model_from_json(const std::string& text) {
    json entry;
    try {
        entry = json::parse(text);
    } catch (const json::parse_error& e) {
        throw ValueError(std::string("model_from_json: the text is not valid JSON: ") + e.what());
    }
    std::shared_ptr<Module> layer;
    try {
        layer = layer_from_json(entry);
    } catch (const ShapeError& e) {
        throw ShapeError(std::string("model_from_json: ") + e.what());
    } catch (const ValueError& e) {
        throw ValueError(std::string("model_from_json: ") + e.what());
    }
    auto model = std::dynamic_pointer_cast<Model>(layer);
    if (!model) {
        throw ValueError("model_from_json: the JSON describes " + layer->type_name() + " '" + layer->name() +
                         "', a layer, not a model");
    }
    return model;
}

}  // namespace xgrad::nn
