// Each built-in layer's config() (Keras' get_config) next to the factory that rebuilds the
// layer from it, so the two sides of one layer are read together. A config holds constructor
// arguments only; the loader adds and reads the name. Factories read with ConfigReader: a key
// a layer does not know is an error, a missing optional one keeps its default.
#include <nlohmann/json.hpp>

#include "json_config.hpp"
#include "nn/registry.hpp"
#include "xgrad/nn/activations.hpp"
#include "xgrad/nn/conv.hpp"
#include "xgrad/nn/dense.hpp"
#include "xgrad/nn/dropout.hpp"
#include "xgrad/nn/embedding.hpp"
#include "xgrad/nn/merge.hpp"
#include "xgrad/nn/norm.hpp"
#include "xgrad/nn/pooling.hpp"
#include "xgrad/nn/reshape.hpp"
#include "xgrad/nn/sequential.hpp"

namespace xgrad::nn {

using nlohmann::json;
using xgrad::detail::ConfigReader;
using xgrad::detail::json_float;

namespace {

// The reader of a built-in layer's config: the loader's own keys are skipped.
ConfigReader reader(const json& c) {
    ConfigReader r(c, "");
    r.skip("name");
    r.skip("automatic_name");
    return r;
}

// {"name": "random_uniform", "minval": -0.05, "maxval": 0.05}: the name and its arguments.
json initializer_json(const init::Initializer& i) {
    json out = {{"name", i.name()}};
    for (const auto& [k, v] : i.arguments()) out[k] = json_float(v);
    return out;
}

init::Initializer initializer(ConfigReader& r, const std::string& key, const init::Initializer& fallback) {
    if (!r.has(key)) return fallback;
    const json& v = r.raw(key);
    if (v.is_string()) return init::get(v.get<std::string>(), {});
    ConfigReader args(v, "config key '" + key + "'");
    const std::string name = args.get<std::string>("name");
    std::map<std::string, float> values;
    for (const auto& [k, a] : v.items()) {
        if (k != "name") values[k] = args.get<float>(k);
    }
    return init::get(name, values);
}

Activation activation(ConfigReader& r) {
    return activation_from_string(r.get<std::string>("activation", std::string("linear")));
}

json shape_json(const Shape& s) { return json(std::vector<std::size_t>(s.begin(), s.end())); }

Shape shape_from(ConfigReader& r, const std::string& key) {
    const auto v = r.get<std::vector<std::size_t>>(key, {});
    return Shape(v.begin(), v.end());
}

// A layer whose constructor takes no arguments.
template <class L>
LayerFactory plain() {
    return [](const json& c) -> std::shared_ptr<Module> {
        reader(c).done();
        return std::make_shared<L>();
    };
}

std::shared_ptr<Module> dense_from_config(const json& c) {
    ConfigReader r = reader(c);
    DenseOptions o{.units = r.get<std::size_t>("units"),
                   .activation = activation(r),
                   .input_dim = r.get<std::size_t>("input_dim", 0),
                   .kernel_initializer = initializer(r, "kernel_initializer", "glorot_uniform"),
                   .bias_initializer = initializer(r, "bias_initializer", "zeros"),
                   .use_bias = r.get<bool>("use_bias", true)};
    r.done();
    return std::make_shared<Dense>(std::move(o));
}

std::shared_ptr<Module> conv2d_from_config(const json& c) {
    ConfigReader r = reader(c);
    const auto filters = r.get<std::size_t>("filters");
    const auto kernel_size = r.get<std::array<std::size_t, 2>>("kernel_size");
    const Activation a = activation(r);
    Conv2DOptions o;
    o.strides = r.get("strides", o.strides);
    o.padding = padding_from_string(r.get<std::string>("padding", to_string(o.padding)));
    o.dilation_rate = r.get("dilation_rate", o.dilation_rate);
    o.use_bias = r.get("use_bias", o.use_bias);
    o.kernel_initializer = initializer(r, "kernel_initializer", o.kernel_initializer);
    o.bias_initializer = initializer(r, "bias_initializer", o.bias_initializer);
    o.input_shape = shape_from(r, "input_shape");
    r.done();
    return std::make_shared<Conv2D>(filters, kernel_size, a, std::move(o));
}

template <class L>
std::shared_ptr<Module> pooling_from_config(const json& c) {
    ConfigReader r = reader(c);
    const auto pool_size = r.get<std::array<std::size_t, 2>>("pool_size", {2, 2});
    const auto strides = r.get<std::array<std::size_t, 2>>("strides", {0, 0});
    const Padding padding = padding_from_string(r.get<std::string>("padding", std::string("valid")));
    r.done();
    return std::make_shared<L>(pool_size, strides, padding);
}

std::shared_ptr<Module> reshape_from_config(const json& c) {
    ConfigReader r = reader(c);
    auto target = r.get<std::vector<std::ptrdiff_t>>("target_shape");
    r.done();
    return std::make_shared<Reshape>(std::move(target));
}

std::shared_ptr<Module> dropout_from_config(const json& c) {
    ConfigReader r = reader(c);
    const auto rate = r.get<float>("rate");
    r.done();
    return std::make_shared<Dropout>(rate);
}

// One line per BatchNormOptions field on each side (config() below): a new option is two lines.
std::shared_ptr<Module> batch_norm_from_config(const json& c) {
    ConfigReader r = reader(c);
    BatchNormOptions o;
    o.momentum = r.get("momentum", o.momentum);
    o.epsilon = r.get("epsilon", o.epsilon);
    o.synchronized = r.get("synchronized", o.synchronized);
    r.done();
    return std::make_shared<BatchNormalization>(o);
}

std::shared_ptr<Module> embedding_from_config(const json& c) {
    ConfigReader r = reader(c);
    const auto input_dim = r.get<std::size_t>("input_dim");
    const auto output_dim = r.get<std::size_t>("output_dim");
    auto init = initializer(r, "embeddings_initializer", init::random_uniform(-0.05f, 0.05f));
    r.done();
    return std::make_shared<Embedding>(input_dim, output_dim, std::move(init));
}

std::shared_ptr<Module> concatenate_from_config(const json& c) {
    ConfigReader r = reader(c);
    const int axis = r.get<int>("axis", -1);
    r.done();
    return std::make_shared<Concatenate>(axis);
}

}  // namespace

json Module::config() const { return json::object(); }

json Dense::config() const {
    json c = {{"units", options_.units},
              {"activation", to_string(options_.activation)},
              {"use_bias", options_.use_bias},
              {"kernel_initializer", initializer_json(options_.kernel_initializer)},
              {"bias_initializer", initializer_json(options_.bias_initializer)}};
    if (options_.input_dim > 0) c["input_dim"] = options_.input_dim;
    return c;
}

json Conv2D::config() const {
    json c = {{"filters", filters_},
              {"kernel_size", kernel_size_},
              {"activation", to_string(activation_)},
              {"strides", options_.strides},
              {"padding", to_string(options_.padding)},
              {"dilation_rate", options_.dilation_rate},
              {"use_bias", options_.use_bias},
              {"kernel_initializer", initializer_json(options_.kernel_initializer)},
              {"bias_initializer", initializer_json(options_.bias_initializer)}};
    if (!input_shape_.empty()) c["input_shape"] = shape_json(input_shape_);
    return c;
}

json Pooling2D::config() const {
    return {{"pool_size", options_.pool_size}, {"strides", options_.strides}, {"padding", to_string(options_.padding)}};
}

json Reshape::config() const { return {{"target_shape", target_}}; }

json Dropout::config() const { return {{"rate", json_float(rate_)}}; }

json BatchNormalization::config() const {
    return {{"momentum", json_float(options_.momentum)}, {"epsilon", json_float(options_.epsilon)},
            {"synchronized", options_.synchronized}};
}

json Embedding::config() const {
    return {{"input_dim", input_dim_}, {"output_dim", output_dim_}, {"embeddings_initializer", initializer_json(initializer_)}};
}

json Concatenate::config() const { return {{"axis", axis_}}; }

namespace detail {

void register_builtin_layers(std::map<std::string, LayerType>& types) {
    auto add = [&](const std::string& name, std::type_index type, LayerFactory f) {
        types.insert_or_assign(name, LayerType{type, std::move(f)});
    };
    add("Dense", typeid(Dense), dense_from_config);
    add("Conv2D", typeid(Conv2D), conv2d_from_config);
    add("MaxPooling2D", typeid(MaxPooling2D), pooling_from_config<MaxPooling2D>);
    add("AveragePooling2D", typeid(AveragePooling2D), pooling_from_config<AveragePooling2D>);
    add("GlobalAveragePooling2D", typeid(GlobalAveragePooling2D), plain<GlobalAveragePooling2D>());
    add("Flatten", typeid(Flatten), plain<Flatten>());
    add("Reshape", typeid(Reshape), reshape_from_config);
    add("Dropout", typeid(Dropout), dropout_from_config);
    add("BatchNormalization", typeid(BatchNormalization), batch_norm_from_config);
    add("Embedding", typeid(Embedding), embedding_from_config);
    add("Add", typeid(Add), plain<Add>());
    add("Subtract", typeid(Subtract), plain<Subtract>());
    add("Multiply", typeid(Multiply), plain<Multiply>());
    add("Average", typeid(Average), plain<Average>());
    add("Concatenate", typeid(Concatenate), concatenate_from_config);
    // Models: their configs hold their layers' entries (src/nn/model_config.cpp).
    add("Sequential", typeid(Sequential), [](const json& c) { return Sequential::from_config(c); });
    add("Functional", typeid(Model), [](const json& c) { return Model::from_config(c); });
    add("Model", typeid(Model), [](const json& c) { return Model::from_config(c); });
}

}  // namespace detail

}  // namespace xgrad::nn
