// Whole-model files: Model::save writes the model's description (architecture, input shapes,
// compile configuration: JSON) and its tensors as a version 2 weights file; load_model rebuilds
// the model from the description and applies the tensors as load_weights does.
#include "xgrad/train/model_io.hpp"

#include <nlohmann/json.hpp>

#include "json_config.hpp"
#include "train/model_weights.hpp"
#include "xgrad/nn/serialization.hpp"
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/train/distribution.hpp"
#include "xgrad/train/fit_options.hpp"

namespace xgrad {

using nlohmann::json;
using xgrad::detail::ConfigReader;

namespace {

json shapes_json(const std::vector<Shape>& shapes) {
    json out = json::array();
    for (const auto& s : shapes) out.push_back(std::vector<std::size_t>(s.begin(), s.end()));
    return out;
}

template <class T>
json names(const std::vector<T>& items) {
    json out = json::array();
    for (const auto& i : items) out.push_back(i.name());
    return out;
}

// Keras' get_compile_config: the optimizer (name and options) and the loss side of compile().
json compile_json(const nn::Model& model) {
    const nn::CompileOptions& c = model.compile_options();
    json metrics_per_output = json::array();
    for (const auto& m : c.output_metrics) metrics_per_output.push_back(names(m));
    return {{"optimizer", {{"class_name", model.optimizer().name()}, {"config", model.optimizer().config()}}},
            {"loss", names(c.loss)},
            {"loss_weights", c.loss_weights},
            {"metrics", names(c.metrics)},
            {"output_metrics", std::move(metrics_per_output)}};
}

// A loss or metric by its saved name: the user's own first, then the built-in ones.
template <class T>
T named(const std::string& name, const std::vector<T>& custom, const char* what, const char* option,
        const std::string& who) {
    for (const auto& c : custom) {
        if (c.name() == name) return c;
    }
    try {
        return T(name);
    } catch (const ValueError&) {
        throw ValueError(who + ": the model was compiled with the " + what + " '" + name + "', which is not a built-in " +
                         what + " (" + (std::string(what) == "loss" ? losses::loss_names() : metrics::metric_names()) +
                         "); pass yours in LoadModelOptions::" + option + ", or load with .compile = false");
    }
}

void compile_from_json(nn::Model& model, const json& config, const train::LoadModelOptions& options,
                       const std::string& who) {
    ConfigReader r(config, who + ": compile configuration");
    ConfigReader opt(r.raw("optimizer"), who + ": optimizer");
    const auto opt_name = opt.get<std::string>("class_name");
    const json& opt_config = opt.raw("config");
    opt.done();
    std::shared_ptr<optim::Optimizer> optimizer;
    try {
        optimizer = optim::from_config(opt_name, opt_config);
    } catch (const ValueError& e) {
        throw ValueError(who + ": " + e.what());
    }
    nn::CompileOptions c;
    for (const auto& n : r.get<std::vector<std::string>>("loss")) c.loss.push_back(named(n, options.custom_losses, "loss", "custom_losses", who));
    c.loss_weights = r.get<std::vector<double>>("loss_weights", {});
    for (const auto& n : r.get<std::vector<std::string>>("metrics", {})) c.metrics.push_back(named(n, options.custom_metrics, "metric", "custom_metrics", who));
    if (r.has("output_metrics")) {
        const json& lists = r.raw("output_metrics");
        if (!lists.is_array()) r.fail("config key 'output_metrics' must be a list of lists");
        for (const auto& list : lists) {
            auto& out = c.output_metrics.emplace_back();
            for (const auto& n : r.as<std::vector<std::string>>(list, "output_metrics")) {
                out.push_back(named(n, options.custom_metrics, "metric", "custom_metrics", who));
            }
        }
    }
    r.done();
    try {
        model.compile(std::move(optimizer), std::move(c));
    } catch (const ValueError& e) {
        throw ValueError(who + ": " + e.what());
    }
}

// One forward pass on a sample of zeros, in inference mode and unrecorded: builds layers that
// create their weights on their first input (a registered layer of the user's, in a Sequential).
void dry_run(nn::Model& model, const std::vector<Shape>& shapes) {
    model.build_inputs(shapes);  // records the shapes (input_shapes()) and builds the built-in layers
    std::vector<Tensor> zs;
    for (const auto& s : shapes) {
        Shape batch{1};
        batch.insert(batch.end(), s.begin(), s.end());
        zs.push_back(zeros(batch));
    }
    NoGradGuard no_grad;
    const bool was_training = model.is_training();
    model.eval();
    try {
        model.forward_all(zs);
    } catch (...) {
        model.train(was_training);
        throw;
    }
    model.train(was_training);
}

}  // namespace

namespace nn {

void Model::save(const std::string& path) const { save(path, train::SaveOptions{}); }

void Model::save(const std::string& path, const train::SaveOptions& options) const {
    if (!built()) {
        throw ValueError("save: model '" + name() + "' is not built (no parameters yet); build it, or fit or predict once, first");
    }
    // The whole description first: a model that cannot be rebuilt from it is refused before
    // anything is written.
    json doc;
    try {
        doc["model"] = layer_to_json(*this);
    } catch (const ValueError& e) {
        throw ValueError("save: " + std::string(e.what()) + ". Nothing was written to '" + path + "'");
    }
    const auto shapes = input_shapes();
    if (!shapes.empty()) doc["input_shapes"] = shapes_json(shapes);
    if (compiled()) doc["compile"] = compile_json(*this);
    std::string text;
    try {
        text = doc.dump();
    } catch (const json::exception& e) {
        throw ValueError("save: model '" + name() + "' cannot be described in JSON (" + e.what() +
                         "): are its layers' and inputs' names valid UTF-8? Nothing was written to '" + path + "'");
    }
    if (!train::distribution().is_chief()) return;  // data-parallel: every process holds the same model
    train::write_model_file(path, text, train::detail::model_tensors(*this, options.include_optimizer), "save");
}

}  // namespace nn

namespace train {

std::shared_ptr<nn::Model> load_model(const std::string& path, const LoadModelOptions& options) {
    const std::string who = "load_model: '" + path + "'";
    WeightsFile file = read_xgrad_file(path, "load_model", "model");
    if (file.version < kModelVersion) {
        throw IoError(who + " is an xgrad weights file (written by save_weights): it holds weights but no architecture. "
                      "Build the model in code and call model.load_weights(\"" + path + "\"), or write whole models "
                      "with model.save(path)");
    }
    json doc;
    try {
        doc = json::parse(file.model);
    } catch (const json::parse_error& e) {
        throw IoError(who + " is corrupt: its model description is not valid JSON (" + e.what() + ")");
    }
    ConfigReader r(doc, who);
    std::shared_ptr<nn::Module> layer;
    try {
        layer = nn::layer_from_json(r.raw("model"));
    } catch (const ShapeError& e) {
        throw ShapeError(who + ": " + e.what());
    } catch (const ValueError& e) {
        throw ValueError(who + ": " + e.what());
    }
    auto model = std::dynamic_pointer_cast<nn::Model>(layer);
    if (!model) r.fail("it describes " + layer->type_name() + " '" + layer->name() + "', a layer, not a model");
    if (r.has("input_shapes")) {
        std::vector<Shape> shapes;
        for (const auto& s : r.get<std::vector<std::vector<std::size_t>>>("input_shapes")) shapes.emplace_back(s.begin(), s.end());
        dry_run(*model, shapes);
    }
    if (r.has("compile")) {
        if (options.compile) compile_from_json(*model, r.raw("compile"), options, who);
        r.skip("compile");
    }
    r.done();
    detail::apply_tensors(*model, std::move(file.tensors), path, "load_model", true);
    return model;
}

}  // namespace train

}  // namespace xgrad
