#pragma once
/// @file module.hpp
/// nn::Module: the base of layers and models. A module owns named parameters and named
/// submodules; its dotted parameter names ("dense_1.kernel") are stable and are also the
/// parameter tensors' labels, so diagrams, optimizer state and weight files agree.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "xgrad/nn/input.hpp"
#include "xgrad/tensor.hpp"

namespace xgrad::nn {

/// The activations a layer can end with (Keras names: "linear", "relu", ...).
enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax };

/// A (dotted name, parameter) pair as returned by Module::named_parameters().
using NamedTensor = std::pair<std::string, Tensor>;

/// Base of every layer and model. Subclasses create parameters with register_parameter(),
/// add children with register_module() and implement forward() with the public ops.
///
/// Called on symbolic tensors (nn::Input and what layers return), a module becomes a node of a
/// functional model's graph. Ownership: a module held by a std::shared_ptr is used as is; any
/// other (a temporary `nn::Dense(32)(a)` or a named object `d(a)`) is first built, then copied
/// once with clone() into a shared twin that the graph owns and every later call on the same
/// object reuses. A built module's copy shares its parameters (Tensor handles), so `d(a); d(b)`
/// is one layer with one set of weights whose gradients from both uses add up, and nothing in a
/// model can dangle when the original object dies.
class Module : public std::enable_shared_from_this<Module> {
public:
    virtual ~Module() = default;
    Module() = default;
    Module(const Module& other);
    Module& operator=(const Module& other);
    Module(Module&&) = default;
    Module& operator=(Module&&) = default;

    /// Computes the module's output from `x`, recording the ops on the graph.
    virtual Tensor forward(const Tensor& x) = 0;
    /// Same as forward(x).
    Tensor operator()(const Tensor& x) { return forward(x); }
    /// Computes the output from several inputs (merge layers override it). The default takes
    /// exactly one input and calls forward(); ValueError naming the layer otherwise.
    virtual Tensor forward_inputs(const std::vector<Tensor>& inputs);
    /// Computes every output from every input: what a functional graph calls. The default is one
    /// output: forward(x) for one input (forward_without_activation(x) when
    /// `without_activation[0]`), forward_inputs(inputs) for several. nn::Model overrides it with
    /// its outputs, which is how a model with several outputs is a layer of another model.
    virtual std::vector<Tensor> forward_all(const std::vector<Tensor>& inputs,
                                            const std::vector<bool>& without_activation = {});
    /// Each output's separable final activation (std::nullopt where none). Default {activation()}.
    virtual std::vector<std::optional<Activation>> output_activations() const;

    /// Adds this module to a functional graph: the symbolic output of the module applied to `x`.
    /// The module is built for x's shape (a dry run on one sample of zeros, inference mode, no
    /// recording), so shape errors surface here, naming the layer and its inputs. ValueError for
    /// a module with several outputs (a functional model): call_all returns them all.
    SymbolicTensor operator()(const SymbolicTensor& x);
    /// Same for a module with several inputs (merge layers, models): `nn::Add()({h, r})`.
    SymbolicTensor operator()(const std::vector<SymbolicTensor>& inputs);
    /// Like operator(), but returns one symbolic tensor per output of the module, in order (the
    /// symbolic twin of forward_all, and Keras' `outs = model(x)` for a model with several
    /// outputs): `auto outs = encoder.call_all({x}); auto y = nn::Dense(1)(outs[1]);`. All of
    /// them come from ONE call: the module runs once per forward pass of the enclosing model.
    std::vector<SymbolicTensor> call_all(const std::vector<SymbolicTensor>& inputs);
    /// Same for one input: `encoder.call_all(x)`.
    std::vector<SymbolicTensor> call_all(const SymbolicTensor& x);
    /// A new module of the same type sharing this one's parameters (a shallow copy); used to
    /// adopt modules not held by a std::shared_ptr into a functional graph. The default throws
    /// ValueError: layers override it with `return std::make_shared<Self>(*this);`.
    virtual std::shared_ptr<Module> clone() const;
    /// True while the name was chosen automatically: a layer first called without a name, or a
    /// model built without one (model_3). A functional Model renames such layers dense_1,
    /// dense_2, model_1, ... in graph order (a Sequential in stack order) so weight files do not
    /// depend on creation order.
    bool has_automatic_name() const { return automatic_name_; }
    /// Gives the module an automatic name (see has_automatic_name()).
    void set_automatic_name(std::string name);
    /// The stem of the module's automatic names: "dense" gives dense_1, dense_2, ... The
    /// default is the type name in snake_case (MaxPooling2D: max_pooling2d, as Keras and as a
    /// Sequential names its layers); nn::Model answers "model", nn::Sequential "sequential".
    virtual std::string automatic_name_base() const;

    /// The class name shown by summaries ("Dense").
    virtual std::string type_name() const { return "Module"; }
    /// What rebuilds this layer without its weights (Keras' get_config): a JSON object of its
    /// constructor's arguments (Dense: units, activation, use_bias, initializers, input_dim once
    /// built), written into a saved model (Model::save) and handed back to the factory
    /// registered for the layer's type (nn::register_layer_type) by train::load_model. The name
    /// is not part of it: the saver adds "name" (and "automatic_name") itself. Include
    /// <nlohmann/json.hpp> to call or override it. The default is an empty object: enough for
    /// a layer whose constructor takes no arguments.
    virtual nlohmann::json config() const;
    /// Creates the parameters for inputs whose per-sample shape is `input_shape` (without the
    /// batch axis) and returns the per-sample output shape. The default passes shapes through.
    virtual Shape build(const Shape& input_shape) { return input_shape; }
    /// True once the parameters exist.
    virtual bool built() const { return true; }
    /// The output shape per sample once built (empty when unknown).
    virtual Shape output_shape() const { return {}; }

    /// The final activation, for layers that have one (lets the trainer fuse softmax + CE).
    virtual std::optional<Activation> activation() const { return std::nullopt; }
    /// forward() without the final activation (the logits). Throws ValueError by default.
    virtual Tensor forward_without_activation(const Tensor& x);

    /// Every parameter, this module's first, then each child's, in registration order.
    std::vector<Tensor> parameters() const;
    /// Parameters with dotted names relative to this module ("dense_1.kernel").
    std::vector<NamedTensor> named_parameters() const;
    /// Total number of parameter elements.
    std::size_t count_params() const;

    /// Training mode (the default): layers that behave differently in training do so.
    void train(bool on = true);
    /// Inference mode: train(false).
    void eval() { train(false); }
    /// True in training mode.
    bool is_training() const { return training_; }

    /// The module's name inside its parent ("dense_1"); "" for an unnamed root.
    const std::string& name() const { return name_; }
    /// Renames the module; a root module's parameters are relabelled "<name>.<param>".
    void set_name(std::string name);
    /// The full dotted path from the root module ("encoder.dense_1"); parameter labels use it.
    const std::string& path() const { return path_; }

    /// The direct children with their names.
    const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }

protected:
    /// Adds a trainable parameter named `name`; the tensor is labelled with its dotted path.
    Tensor register_parameter(const std::string& name, Array value);
    /// Adds a child module named `name` and returns it.
    std::shared_ptr<Module> register_module(const std::string& name, std::shared_ptr<Module> child);
    /// Sets the name without making it part of the parameter paths (models such as
    /// Sequential: their layers are "dense_1.kernel", not "sequential.dense_1.kernel").
    /// `automatic` marks it as chosen automatically (see has_automatic_name()).
    void set_display_name(std::string name, bool automatic = false) {
        name_ = std::move(name);
        automatic_name_ = automatic;
    }

private:
    void set_path(const std::string& path);
    void collect(const std::string& prefix, std::vector<NamedTensor>& out) const;

    std::string name_;
    std::string path_;
    bool training_ = true;
    bool automatic_name_ = false;
    std::shared_ptr<Module> twin_;  // the shared copy a functional graph owns (never copied)
    std::vector<NamedTensor> params_;
    std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

}  // namespace xgrad::nn
