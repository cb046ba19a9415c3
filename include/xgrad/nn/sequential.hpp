#pragma once
/// @file sequential.hpp
/// nn::Sequential: a stack of layers with Keras' model interface (summary, compile, fit,
/// evaluate, predict, save_weights/load_weights). Training is implemented in src/train.

#include <concepts>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/losses.hpp"
#include "xgrad/metrics.hpp"
#include "xgrad/nn/module.hpp"
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/train/fit_options.hpp"
#include "xgrad/train/history.hpp"

namespace xgrad::nn {

/// Layers applied in order. Unnamed layers get Keras-like names unique within the model
/// (dense_1, dense_2, ...), so parameters are "dense_1.kernel", "dense_1.bias", ...
class Sequential : public Module {
public:
    /// An empty model called `name` (shown by summary()).
    explicit Sequential(std::string name = "sequential");

    /// Appends a layer given by value: `network.add(nn::Dense(512, "relu", 784))`.
    template <class M>
        requires std::derived_from<M, Module>
    Sequential& add(M layer) {
        return add(std::shared_ptr<Module>(std::make_shared<M>(std::move(layer))));
    }
    /// Appends a shared layer. Builds it at once when the previous output shape is known.
    /// ValueError on a null layer or a name already used in this model.
    Sequential& add(std::shared_ptr<Module> layer);
    /// The layers in order.
    const std::vector<std::shared_ptr<Module>>& layers() const { return layers_; }

    /// Applies every layer.
    Tensor forward(const Tensor& x) override;
    /// Applies every layer, the last without its final activation (logits). Used by the
    /// trainer to fuse a softmax output with categorical cross-entropy.
    Tensor forward_without_activation(const Tensor& x) override;
    /// The last layer's activation.
    std::optional<Activation> activation() const override;
    /// "Sequential".
    std::string type_name() const override { return "Sequential"; }
    /// Builds every layer for per-sample input shape `input_shape`; returns the output shape.
    Shape build(const Shape& input_shape) override;
    /// True when every layer is built.
    bool built() const override;
    /// The last layer's output shape (empty until built).
    Shape output_shape() const override;

    /// Keras' summary table (layer (type), output shape, param #, totals). Prints it to `out`
    /// unless null and returns it. ValueError when the model is not built.
    std::string summary(std::ostream* out = &std::cout) const;

    /// Configures training. The optimizer is copied (its state too).
    void compile(const optim::Optimizer& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {});
    /// Configures training with a shared optimizer.
    void compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
                 std::vector<metrics::Metric> metrics = {});
    /// Configures training with an optimizer by name ("rmsprop", "sgd", "adam").
    void compile(const std::string& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {});
    /// Configures training with an optimizer by name (string literal form).
    void compile(const char* optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {}) {
        compile(std::string(optimizer), std::move(loss), std::move(metrics));
    }
    /// True after compile().
    bool compiled() const { return optimizer_ != nullptr; }
    /// The optimizer (ValueError before compile).
    optim::Optimizer& optimizer() const;
    /// The loss (ValueError before compile).
    const losses::Loss& loss() const;
    /// The metrics.
    const std::vector<metrics::Metric>& metrics() const { return metrics_; }
    /// True when training fuses the last softmax with categorical cross-entropy.
    bool uses_fused_softmax_cross_entropy() const;

    /// Trains on x (N, ...) and y (N, outputs) (or (N) class indices for the sparse loss).
    /// Returns per-epoch loss, metrics and val_* values.
    train::History fit(const Array& x, const Array& y, const train::FitOptions& options = {});
    /// The loss and metrics on (x, y), batched, without training: {"loss": ..., "accuracy": ...}.
    std::map<std::string, double> evaluate(const Array& x, const Array& y, const train::EvaluateOptions& options = {});
    /// The model's outputs (probabilities for a softmax model) for x, batched.
    Array predict(const Array& x, const train::PredictOptions& options = {});

    /// Asks fit() to stop after the current batch (callbacks use it); `reason` ends up in
    /// History::stop_reason and is printed when verbose.
    void stop_training(std::string reason);
    /// True after stop_training() during the current fit().
    bool stop_requested() const { return stop_requested_; }

    /// Writes the weights (and the optimizer state) to `path` in the xgrad weights format
    /// (docs/layers.md), atomically. ValueError when the model is not built; IoError on I/O.
    void save_weights(const std::string& path, const train::SaveOptions& options = {}) const;
    /// Reads weights written by save_weights. IoError for a missing, truncated, corrupt or
    /// newer-version file; ValueError when names or shapes do not match this model. On any
    /// error the model and its optimizer are unchanged.
    void load_weights(const std::string& path, const train::LoadOptions& options = {});

private:
    std::string unique_name(const std::string& base) const;
    void require_compiled(const char* who) const;

    std::vector<std::shared_ptr<Module>> layers_;
    Shape input_shape_;
    std::shared_ptr<optim::Optimizer> optimizer_;
    std::optional<losses::Loss> loss_;
    std::vector<metrics::Metric> metrics_;
    bool stop_requested_ = false;
    std::string stop_reason_;
};

}  // namespace xgrad::nn
