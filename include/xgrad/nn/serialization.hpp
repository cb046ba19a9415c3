#pragma once
/// @file serialization.hpp
/// Layers and models as JSON (Keras' get_config / from_config, model.to_json and
/// model_from_json), and the registry that maps a layer type to the factory rebuilding it.
///
/// A layer's entry is `{"class_name": "Dense", "config": {"units": 8, ..., "name": "dense_1"}}`:
/// the name its type is registered under, and its config() with the name added. Built-in
/// layers and models (Dense, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
/// Flatten, Reshape, Dropout, BatchNormalization, Embedding, Add, Subtract, Multiply, Average,
/// Concatenate, Sequential, Functional, Model) are registered by the library; a layer of your
/// own plugs in with register_layer_type, as onnx::register_layer_exporter does for ONNX:
///
///     class Scale : public nn::Module {
///     public:
///         explicit Scale(float factor) : factor_(factor) {}
///         Tensor forward(const Tensor& x) override { return x * factor_; }
///         std::string type_name() const override { return "Scale"; }
///         std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Scale>(*this); }
///         nlohmann::json config() const override { return {{"factor", factor_}}; }
///     private:
///         float factor_;
///     };
///     nn::register_layer_type<Scale>("Scale", [](const nlohmann::json& c) {
///         return std::make_shared<Scale>(c.at("factor").get<float>());
///     });
///
/// Weights are not part of the JSON: Model::save writes them next to it, by parameter name.

#include <concepts>
#include <functional>
#include <memory>
#include <string>
#include <typeindex>
#include <typeinfo>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "xgrad/nn/model.hpp"

namespace xgrad::nn {

/// Builds a layer, unbuilt or built, from its config() (with "name" and, for an automatic
/// name, "automatic_name" added; the loader names the layer itself afterwards, so a factory may
/// ignore both). Its weights are loaded later.
using LayerFactory = std::function<std::shared_ptr<Module>(const nlohmann::json& config)>;

/// Registers (or replaces) the factory of the layers whose C++ type is `type`, under
/// `type_name` (normally the layer's type_name()), for Model::save and train::load_model.
/// Saving looks a layer up by its exact C++ type, so a subclass of a registered layer with a
/// forward of its own is not mistaken for its base. ValueError for an empty name or factory.
void register_layer_type(const std::string& type_name, std::type_index type, LayerFactory factory);

/// register_layer_type for layer class L: `nn::register_layer_type<Scale>("Scale", factory)`,
/// the factory taking `const nlohmann::json&` and returning a std::shared_ptr<L> (or Module).
template <class L, class F>
    requires std::derived_from<L, Module> && std::invocable<F, const nlohmann::json&>
void register_layer_type(const std::string& type_name, F factory) {
    register_layer_type(type_name, std::type_index(typeid(L)), LayerFactory(std::move(factory)));
}

/// The registered type names, sorted.
std::vector<std::string> registered_layer_types();

/// The entry of `layer`: {"class_name": its registered type name, "config": config() plus
/// "name" and, for an automatic name, "automatic_name": true}. ValueError naming the layer, its
/// type_name() and its C++ type when that type is not registered: a Module or Model subclass
/// with its own forward (the message points to save_weights and register_layer_type).
nlohmann::json layer_to_json(const Module& layer);
/// The layer an entry describes, built by its type's factory and named as saved. ValueError
/// naming the layer for an unknown type (listing the registered ones) or a bad config.
std::shared_ptr<Module> layer_from_json(const nlohmann::json& entry);

/// The architecture of `model` as JSON text (Keras' model.to_json()): layer_to_json(model).
/// `indent` < 0 writes one line.
std::string model_to_json(const Model& model, int indent = -1);
/// A model rebuilt from model_to_json's text, freshly initialised (Keras' model_from_json;
/// train::load_model also restores weights and compile configuration). ValueError for text
/// that is not JSON, an entry that is not a model, or what layer_from_json refuses.
std::shared_ptr<Model> model_from_json(const std::string& text);

}  // namespace xgrad::nn
