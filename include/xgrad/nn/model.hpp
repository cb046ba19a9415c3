#pragma once
/// @file model.hpp
/// nn::Model: the base of every trainable model (Sequential, functional models built from
/// nn::Input, wrapped or subclassed Modules) with Keras' interface: summary, compile, fit,
/// evaluate, predict, save_weights/load_weights.
///
/// A Model is a Module with several inputs and outputs (`forward_all`). It holds its training
/// configuration (optimizer, losses, metrics), but it contains no training loop: fit, evaluate,
/// predict and the weights files are defined by the ONE training engine in src/train
/// (xgrad/train/engine.hpp), which drives any Model. This header therefore includes nothing
/// from train/ and only names the engine's option and result types; include <xgrad/train.hpp>
/// (or <xgrad/nn.hpp>, <xgrad/xgrad.hpp>) to call fit with options: `m.fit(x, y, {.epochs = 5})`.

#include <cstddef>
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

namespace xgrad::train {
struct FitOptions;
struct EvaluateOptions;
struct PredictOptions;
struct SaveOptions;
struct LoadOptions;
struct History;
}  // namespace xgrad::train

namespace xgrad::nn {

/// The loss side of compile() for models with several outputs (Keras' `loss=[...]`,
/// `loss_weights=[...]`, `metrics=[...]`): `m.compile("adam", {.loss = {"mse", "binary_crossentropy"},
/// .loss_weights = {1.0, 0.2}})`. The trained quantity is Σ_i loss_weights[i]·loss_i(y_i, out_i).
struct CompileOptions {
    std::vector<losses::Loss> loss;                                   ///< one loss for every output, or one per output
    std::vector<double> loss_weights = {};                            ///< one per output; empty = all 1
    std::vector<metrics::Metric> metrics = {};                        ///< computed on every output
    std::vector<std::vector<metrics::Metric>> output_metrics = {};    ///< per output, after `metrics`; empty or one list per output
};

namespace detail {
struct FunctionalGraph;
}

/// Base of every trainable model. Subclasses describe how inputs become outputs; the training
/// engine (src/train) does the rest. Styles (docs/models.md):
/// - Sequential: a stack of layers;
/// - functional: `Model({a, b}, {out})` over symbolic tensors from nn::Input;
/// - subclassing: derive from Model and override forward(x) (or forward_all for several
///   inputs), or wrap any Module: `Model(std::make_shared<MyNet>())`.
class Model : public Module {
public:
    /// An empty model called `name`. Subclasses override forward(). An empty `name` gives an
    /// automatic one, numbered like layers' (model_1, model_2, ... in the process, see
    /// has_automatic_name()); a model used as a layer of another model is renumbered there in
    /// graph order, like dense_1. A name you give is kept as is.
    explicit Model(std::string name = "");
    /// A functional model: the layers between `inputs` (from nn::Input) and `outputs`. Layers
    /// become children named by their names; automatically named ones (default-named models
    /// too) are renamed dense_1, dense_2, model_1, ... in graph order. The model's own name is
    /// `name`, or model_1, model_2, ... when empty. ValueError naming the layers for: no inputs
    /// or outputs, an input that is not an nn::Input or is given twice, an output that depends on
    /// an Input not among `inputs`, an input no output uses, two layers with one name, or a cycle.
    Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name = "");
    /// Wraps a user's Module (with a forward) so the engine can train it; the module becomes the
    /// child named by its name (or its lower-case type name), so its parameters are
    /// "<that name>.<its parameter names>". An empty `name` gives model_1, model_2, ...
    explicit Model(std::shared_ptr<Module> module, std::string name = "");

    // ---- the interface the training engine drives ------------------------------------------

    /// Number of input arrays fit/predict take (1 unless the model says otherwise).
    virtual std::size_t num_inputs() const;
    /// Number of outputs (targets fit takes, arrays predict returns).
    virtual std::size_t num_outputs() const;
    /// Names of the inputs, for messages ({"input"} by default).
    virtual std::vector<std::string> input_names() const;
    /// Names of the outputs, used for History keys of multi-output models ("out_1_loss") and
    /// messages. By default the name of the last child module (or the model's own name).
    virtual std::vector<std::string> output_names() const;
    /// Builds the model for per-sample input shapes (batch axis excluded) and returns the
    /// per-sample output shapes (an empty Shape where unknown). The default runs forward_all on
    /// one sample of zeros in inference mode without recording (a dry run).
    virtual std::vector<Shape> build_inputs(const std::vector<Shape>& input_shapes);
    /// Computes every output from every input. `without_activation[i]` asks for output i without
    /// its final activation (the engine fuses softmax with cross-entropy); entries may be missing.
    /// The default takes one input: forward(x), or forward_without_activation(x).
    std::vector<Tensor> forward_all(const std::vector<Tensor>& inputs,
                                    const std::vector<bool>& without_activation = {}) override;
    /// Each output's separable final activation (std::nullopt where none). Default {activation()}.
    std::vector<std::optional<Activation>> output_activations() const override;
    /// One input, one output: the functional graph or the wrapped module. Subclasses override
    /// it; a plain Model without either throws ValueError.
    Tensor forward(const Tensor& x) override;
    /// The wrapped module's forward_without_activation (ValueError otherwise).
    Tensor forward_without_activation(const Tensor& x) override;
    /// The wrapped module's or the single output layer's final activation.
    std::optional<Activation> activation() const override;
    /// "Model" (or "Functional" for a functional model).
    std::string type_name() const override { return graph_ ? "Functional" : "Model"; }
    /// "model": automatic names are model_1, model_2, ...
    std::string automatic_name_base() const override { return "model"; }
    /// A Model sharing this one's layers and parameters, so that a model object (not held by a
    /// std::shared_ptr) can be called as a layer: `inner.call_all({x})`. The copy is the same
    /// layer, so it keeps the name (and whether it is automatic). Subclasses of Model
    /// cannot be copied this way (ValueError, as for any Module without clone()): hold them by
    /// a std::shared_ptr and call (*model)(x).
    std::shared_ptr<Module> clone() const override;
    /// The single output's per-sample shape when known.
    Shape output_shape() const override;
    /// True when the model is functional (built from nn::Input tensors).
    bool is_functional() const { return graph_ != nullptr; }
    /// The layers of a functional model in graph order (each shared layer once).
    std::vector<std::shared_ptr<Module>> layers() const;
    /// The per-sample input shapes: a functional model's Inputs'; for other models the shapes
    /// build_inputs() last saw (fit, evaluate and predict call it), or that Sequential::build
    /// was given; empty while unknown. A saved model records them, so that load_model can build
    /// layers that create their weights on their first input.
    std::vector<Shape> input_shapes() const;
    /// Keras' get_config: a functional model's inputs, layers (each one's type, name and
    /// config), calls and outputs; a wrapped module's layer entry (Model(module)). Each layer's
    /// entry is nn::layer_to_json's, so it throws that function's ValueError for a layer whose
    /// type is not registered for saving (nn::register_layer_type), such as a subclass with its
    /// own forward. A plain Model (neither) gives an empty object.
    nlohmann::json config() const override;
    /// The registered factory of "Functional" and "Model": the model config() describes, its
    /// layers built by their own factories (nn::layer_from_json) and called as recorded, so
    /// shared layers and models used as layers come back shared. ValueError naming the layer
    /// or tensor a malformed config refers to.
    static std::shared_ptr<Model> from_config(const nlohmann::json& config);
    /// The checked layer graph of a functional model (null otherwise), for readers of the
    /// graph such as the ONNX exporter (src/nn/functional_graph.hpp).
    const std::shared_ptr<detail::FunctionalGraph>& functional_graph() const { return graph_; }

    /// A Keras-style summary table (layer (type), output shape, param #, totals); printed to
    /// `out` unless null, and returned.
    virtual std::string summary(std::ostream* out = &std::cout) const;

    // ---- compile: the training configuration ------------------------------------------------

    /// One loss (and metrics) for every output. The optimizer is copied (its state too).
    void compile(const optim::Optimizer& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {});
    /// Same with a shared optimizer.
    void compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
                 std::vector<metrics::Metric> metrics = {});
    /// Same with an optimizer by name ("rmsprop", "sgd", "adam").
    void compile(const std::string& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {});
    /// Same with an optimizer by name (string literal form).
    void compile(const char* optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics = {}) {
        compile(std::string(optimizer), std::move(loss), std::move(metrics));
    }
    /// Losses per output, loss weights and per-output metrics (see CompileOptions).
    void compile(std::shared_ptr<optim::Optimizer> optimizer, CompileOptions options);
    /// Same with an optimizer copied.
    void compile(const optim::Optimizer& optimizer, CompileOptions options);
    /// Same with an optimizer by name.
    void compile(const std::string& optimizer, CompileOptions options);
    /// Same with an optimizer by name (string literal form).
    void compile(const char* optimizer, CompileOptions options) { compile(std::string(optimizer), std::move(options)); }

    /// True after compile().
    bool compiled() const { return optimizer_ != nullptr; }
    /// The losses, loss weights and metrics compile() was given (Keras' get_compile_config).
    const CompileOptions& compile_options() const { return config_; }
    /// The compiled optimizer, e.g. for a callback that changes its learning rate:
    /// `model()->optimizer().set_learning_rate(1e-4f)`. ValueError "optimizer: model '<name>' is
    /// not compiled; ..." before compile.
    optim::Optimizer& optimizer();
    /// The compiled optimizer, read-only (its learning_rate(), iterations(), state()).
    const optim::Optimizer& optimizer() const;
    /// The loss of output 0 (ValueError before compile).
    const losses::Loss& loss() const;
    /// The loss of `output` (the shared one when compile() gave one loss).
    const losses::Loss& loss(std::size_t output) const;
    /// The weight of `output`'s loss in the trained sum (1 unless compile() set loss_weights).
    double loss_weight(std::size_t output) const;
    /// The metrics computed on every output.
    const std::vector<metrics::Metric>& metrics() const { return config_.metrics; }
    /// The metrics of `output`: the shared ones, then its own.
    std::vector<metrics::Metric> metrics(std::size_t output) const;
    /// True when training fuses output `output`'s softmax with categorical cross-entropy.
    bool uses_fused_softmax_cross_entropy(std::size_t output = 0) const;
    /// ValueError "<who>: model '<name>' is not compiled; ..." unless compiled.
    void require_compiled(const char* who) const;

    // ---- the training engine (defined in src/train, see xgrad/train/engine.hpp) ---------------

    /// Trains on x (N, ...) and y (N, outputs) (or (N) class indices for the sparse loss).
    /// Returns per-epoch loss, metrics and val_* values.
    train::History fit(const Array& x, const Array& y);
    /// Same with options: `m.fit(x, y, {.epochs = 5, .batch_size = 128})`.
    train::History fit(const Array& x, const Array& y, const train::FitOptions& options);
    /// One array per input and one per output: `m.fit({x_a, x_b}, {y})`.
    train::History fit(const std::vector<Array>& x, const std::vector<Array>& y);
    /// Same with options.
    train::History fit(const std::vector<Array>& x, const std::vector<Array>& y, const train::FitOptions& options);
    /// The loss and metrics on (x, y), batched, in inference mode: {"loss": ..., "accuracy": ...}.
    std::map<std::string, double> evaluate(const Array& x, const Array& y);
    /// Same with options.
    std::map<std::string, double> evaluate(const Array& x, const Array& y, const train::EvaluateOptions& options);
    /// One array per input and one per output.
    std::map<std::string, double> evaluate(const std::vector<Array>& x, const std::vector<Array>& y);
    /// Same with options.
    std::map<std::string, double> evaluate(const std::vector<Array>& x, const std::vector<Array>& y,
                                           const train::EvaluateOptions& options);
    /// The output for x, batched, in inference mode (one-output models).
    Array predict(const Array& x);
    /// Same with options.
    Array predict(const Array& x, const train::PredictOptions& options);
    /// One array per output for one array per input.
    std::vector<Array> predict(const std::vector<Array>& x);
    /// Same with options.
    std::vector<Array> predict(const std::vector<Array>& x, const train::PredictOptions& options);

    /// Asks fit() to stop after the current batch (callbacks use it); `reason` ends up in
    /// History::stop_reason and is printed when verbose.
    void stop_training(std::string reason);
    /// True after stop_training() during the current fit().
    bool stop_requested() const { return stop_requested_; }
    /// Why stop_training() was called ("" when it was not).
    const std::string& stop_reason() const { return stop_reason_; }
    /// Clears a stop request (fit() does it when it starts).
    void reset_stop() {
        stop_requested_ = false;
        stop_reason_.clear();
    }

    /// Writes the weights (and the optimizer state) to `path` in the xgrad weights format
    /// (docs/layers.md), atomically; only the chief process writes (train::Distribution).
    /// ValueError when the model is not built; IoError on I/O.
    void save_weights(const std::string& path) const;
    /// Same with options.
    void save_weights(const std::string& path, const train::SaveOptions& options) const;
    /// Writes the whole model to `path` in one file, atomically: its architecture (config() of
    /// every layer, as JSON), its weights, and when compiled the compile configuration and the
    /// optimizer's options and state (Keras' model.save). train::load_model(path) rebuilds it.
    /// Format: the weights file's version 2 (docs/models.md). Everything is checked before
    /// anything is written: ValueError when the model is not built, or holds a layer or is a
    /// model whose type is not registered for saving (a subclass with its own forward: use
    /// save_weights and rebuild it in code, or nn::register_layer_type); IoError on I/O. Only
    /// the chief process writes (train::Distribution).
    void save(const std::string& path) const;
    /// Same with options (include_optimizer = false leaves the optimizer's state out; its
    /// options and the compile configuration are still saved).
    void save(const std::string& path, const train::SaveOptions& options) const;
    /// Reads weights written by save_weights (or the weights of a whole model written by save).
    /// IoError for a missing, truncated, corrupt or newer-version file; ValueError when names or shapes do not match this model. On any
    /// error the model and its optimizer are unchanged.
    void load_weights(const std::string& path);
    /// Same with options.
    void load_weights(const std::string& path, const train::LoadOptions& options);

protected:
    /// A model called `name`, or automatic_base_1, automatic_base_2, ... when `name` is empty
    /// (Sequential passes "sequential").
    Model(std::string name, const std::string& automatic_base);
    /// The optimizer as a shared pointer (null before compile).
    const std::shared_ptr<optim::Optimizer>& shared_optimizer() const { return optimizer_; }
    /// Records the per-sample input shapes the model was built for (input_shapes()).
    void set_input_shapes(std::vector<Shape> shapes) { seen_input_shapes_ = std::move(shapes); }
    /// Gives a model rebuilt from a file the name it was saved with, automatic or not, without
    /// drawing a number from the automatic names' counter (from_config).
    void restore_name(const std::string& name, bool automatic) { set_display_name(name, automatic); }

private:
    std::shared_ptr<detail::FunctionalGraph> graph_;  // functional models only
    std::shared_ptr<Module> wrapped_;                 // Model(module) only
    std::shared_ptr<optim::Optimizer> optimizer_;
    CompileOptions config_;
    std::vector<Shape> seen_input_shapes_;            // non-functional models: see input_shapes()
    bool stop_requested_ = false;
    std::string stop_reason_;
};

}  // namespace xgrad::nn
