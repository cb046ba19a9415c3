#pragma once
/// @file model_io.hpp
/// Whole-model files (Keras' model.save / keras.models.load_model): Model::save(path) writes
/// the architecture, the weights and, for a compiled model, the compile configuration and the
/// optimizer's options and state; train::load_model(path) rebuilds the model from them.
///
/// load_model lives in train, not nn: it reads the weights file format and restores optimizer
/// state as load_weights does (both train's), and nn includes nothing from train. The
/// architecture half is nn's own (nn::model_to_json / nn::model_from_json, the layer registry
/// in xgrad/nn/serialization.hpp).

#include <memory>
#include <string>
#include <vector>

#include "xgrad/losses.hpp"
#include "xgrad/metrics.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::train {

/// Options of load_model().
struct LoadModelOptions {
    /// Compile the model as it was compiled when saved (optimizer with its options and state,
    /// losses, loss weights, metrics). false: the model comes back uncompiled, as Keras'
    /// compile=False (compile it yourself, e.g. when a custom loss is not at hand).
    bool compile = true;
    /// Losses of your own that the model was compiled with, matched by name (Keras'
    /// custom_objects); a name found here wins over a built-in loss of that name.
    std::vector<losses::Loss> custom_losses = {};
    /// Metrics of your own, matched by name.
    std::vector<metrics::Metric> custom_metrics = {};
};

/// The model that Model::save wrote to `path`: rebuilt layer by layer by the factories of their
/// registered types (nn::register_layer_type), with its weights and names, and compiled as it
/// was saved (its optimizer's state restored, so fit continues exactly where it stopped).
/// A Sequential comes back as an nn::Sequential (std::dynamic_pointer_cast it to add layers).
/// Errors name `path` and say what is wrong: IoError for a missing, truncated or corrupt file,
/// a file of a newer format version, a plain weights file (save_weights: it has no
/// architecture; build the model in code and call load_weights) and a model description that is
/// not JSON; ValueError for a layer type this program has not registered (naming it and the
/// known types), a bad layer config, or a loss, metric or optimizer it does not know.
std::shared_ptr<nn::Model> load_model(const std::string& path, const LoadModelOptions& options = {});

}  // namespace xgrad::train
