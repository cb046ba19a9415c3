#pragma once
/// @file sequential.hpp
/// nn::Sequential: a stack of layers, a Model with Keras' interface (summary, compile, fit,
/// evaluate, predict, save_weights/load_weights; the training engine lives in src/train).

#include <concepts>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/nn/model.hpp"

namespace xgrad::nn {

/// Layers applied in order. Unnamed layers get Keras-like names unique within the model
/// (dense_1, dense_2, ...), so parameters are "dense_1.kernel", "dense_1.bias", ...; so do
/// automatically named ones (a default-named model is renumbered model_1, sequential_1, ...).
class Sequential : public Model {
public:
    /// An empty model called `name` (shown by summary()). An empty `name` gives an automatic
    /// one, numbered like layers' (sequential_1, sequential_2, ... in the process); a name you
    /// give is kept as is.
    explicit Sequential(std::string name = "");

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
    /// "sequential": automatic names are sequential_1, sequential_2, ...
    std::string automatic_name_base() const override { return "sequential"; }
    /// Builds every layer for per-sample input shape `input_shape`; returns the output shape.
    Shape build(const Shape& input_shape) override;
    /// True when every layer is built.
    bool built() const override;
    /// The last layer's output shape (empty until built).
    Shape output_shape() const override;

    /// Keras' summary table (layer (type), output shape, param #, totals). Prints it to `out`
    /// unless null and returns it. ValueError when the model is not built.
    std::string summary(std::ostream* out = &std::cout) const override;
    /// {build(input_shapes[0])}: the stack's shapes need no dry run.
    std::vector<Shape> build_inputs(const std::vector<Shape>& input_shapes) override;
    /// {the last layer's name}.
    std::vector<std::string> output_names() const override;
    /// A copy sharing the layers and keeping the name (a Sequential can be called on symbolic
    /// tensors).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Sequential>(*this); }
    /// {"layers": [each layer's entry (nn::layer_to_json)], "input_shape": [...] once known}.
    nlohmann::json config() const override;
    /// The registered factory of "Sequential": the layers added in order, then built for the
    /// recorded input shape.
    static std::shared_ptr<Sequential> from_config(const nlohmann::json& config);

private:
    std::string unique_name(const std::string& base) const;
    // layer->build(in), and for a layer that does not report its output shape (a module of the
    // user's without build()/output_shape() overrides): one sample of zeros through it, in
    // inference mode and unrecorded, once per input shape. Such a layer may create its weights
    // in forward: they then exist before fit attaches the optimizer, and the next layer is
    // built for the shape the layer really returns.
    Shape build_layer(Module& layer, const Shape& in);

    std::vector<std::shared_ptr<Module>> layers_;
    std::map<const Module*, std::pair<Shape, Shape>> probed_;  // build_layer's runs: in -> out
};

}  // namespace xgrad::nn
