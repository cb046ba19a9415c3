#pragma once
// Private to nn: the layer-type registry behind nn::register_layer_type, and the built-in
// layers' factories that fill it.

#include <map>
#include <string>
#include <typeindex>

#include "xgrad/nn/serialization.hpp"

namespace xgrad::nn::detail {

/// A registered layer type: the C++ type saving recognises and the factory loading calls.
struct LayerType {
    std::type_index type;
    LayerFactory factory;
};

/// Adds the built-in layers and models (src/nn/layer_configs.cpp, src/nn/model_config.cpp).
void register_builtin_layers(std::map<std::string, LayerType>& types);

/// The name `layer`'s exact C++ type is registered under ("" when it is not): its type_name()
/// when that is registered for its C++ type, else any name registered for it.
std::string registered_type_name(const Module& layer);

/// The readable C++ type of `layer` ("MyModel", "(anonymous namespace)::Scale").
std::string cpp_type_name(const Module& layer);

/// Model::config()'s layer entry with the message naming `model` when it fails.
nlohmann::json layer_entry_in(const Module& layer, const std::string& model);

}  // namespace xgrad::nn::detail
