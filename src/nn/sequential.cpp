// Sequential: layer stacking, automatic names, shape propagation and the summary table.
#include "xgrad/nn/sequential.hpp"

#include <cctype>

#include "nn/naming.hpp"
#include "nn/summary_table.hpp"
#include "xgrad/format.hpp"

namespace xgrad::nn {

Sequential::Sequential(std::string name) : Model(std::move(name), "sequential") {}

std::string Sequential::unique_name(const std::string& base) const {
    for (std::size_t k = 1;; ++k) {
        const std::string candidate = base + "_" + std::to_string(k);
        bool taken = false;
        for (auto& [n, c] : children()) taken = taken || n == candidate;
        if (!taken) return candidate;
    }
}

Sequential& Sequential::add(std::shared_ptr<Module> layer) {
    if (!layer) throw ValueError("Sequential::add: null layer");
    std::string name = layer->name();
    if (name.empty()) {
        name = unique_name(detail::snake_case(layer->type_name()));
    } else if (layer->has_automatic_name()) {
        // A default-named model (model_7) or a layer named by a symbolic call: numbered in the
        // stack, so weight names do not depend on how many models the process created before.
        name = unique_name(layer->automatic_name_base());
    } else {
        for (auto& [n, c] : children()) {
            if (n == name) throw ValueError("Sequential::add: model '" + this->name() + "' already has a layer named '" + name + "'");
        }
    }
    // Build now when the incoming shape is known: summary() then works before any data.
    if (!layers_.empty() && layers_.back()->built()) {
        const Shape last = layers_.back()->output_shape();
        auto p = probed_.find(layers_.back().get());
        const Shape in = !last.empty() ? last : p != probed_.end() ? p->second.second : Shape{};
        if (!in.empty() && (!layer->built() || layer->output_shape().empty())) build_layer(*layer, in);
    }
    register_module(name, layer);
    layers_.push_back(std::move(layer));
    return *this;
}

Tensor Sequential::forward(const Tensor& x) {
    if (layers_.empty()) throw ValueError("Sequential::forward: model '" + name() + "' has no layers");
    Tensor h = x;
    for (auto& layer : layers_) h = layer->forward(h);
    return h;
}

Tensor Sequential::forward_without_activation(const Tensor& x) {
    if (layers_.empty()) throw ValueError("Sequential::forward: model '" + name() + "' has no layers");
    Tensor h = x;
    for (std::size_t i = 0; i + 1 < layers_.size(); ++i) h = layers_[i]->forward(h);
    return layers_.back()->forward_without_activation(h);
}

std::optional<Activation> Sequential::activation() const {
    if (layers_.empty()) return std::nullopt;
    return layers_.back()->activation();
}

Shape Sequential::build(const Shape& input_shape) {
    if (layers_.empty()) throw ValueError("Sequential::build: model '" + name() + "' has no layers");
    Shape s = input_shape;
    for (auto& layer : layers_) s = build_layer(*layer, s);
    set_input_shapes({input_shape});
    return s;
}

Shape Sequential::build_layer(Module& layer, const Shape& in) {
    const Shape out = layer.build(in);
    if (!layer.output_shape().empty()) return out;
    auto it = probed_.find(&layer);
    if (it != probed_.end() && it->second.first == in) return it->second.second;
    Shape batch{1};
    batch.insert(batch.end(), in.begin(), in.end());
    Tensor y;
    {
        NoGradGuard no_grad;
        const bool was_training = layer.is_training();
        layer.eval();
        try {
            y = layer.forward(zeros(batch));
        } catch (...) {
            layer.train(was_training);
            throw;
        }
        layer.train(was_training);
    }
    const Shape probed = y.ndim() ? Shape(y.shape().begin() + 1, y.shape().end()) : out;
    probed_[&layer] = {in, probed};
    return probed;
}

bool Sequential::built() const {
    if (layers_.empty()) return false;
    for (auto& layer : layers_) {
        if (!layer->built()) return false;
    }
    return true;
}

Shape Sequential::output_shape() const {
    if (!built()) return {};
    const Shape last = layers_.back()->output_shape();
    auto p = probed_.find(layers_.back().get());
    return !last.empty() || p == probed_.end() ? last : p->second.second;
}

std::vector<Shape> Sequential::build_inputs(const std::vector<Shape>& input_shapes) {
    if (input_shapes.size() != 1) {
        throw ValueError("Sequential '" + name() + "' takes 1 input, got " + std::to_string(input_shapes.size()));
    }
    return {build(input_shapes[0])};
}

std::vector<std::string> Sequential::output_names() const {
    return {layers_.empty() ? name() : layers_.back()->name()};
}

std::string Sequential::summary(std::ostream* out) const {
    if (!built()) {
        throw ValueError("summary: model '" + name() +
                         "' is not built yet; give the first layer an input_dim or call fit/predict first");
    }
    std::vector<std::vector<std::string>> rows;
    std::size_t total = 0;
    for (const auto& layer : layers_) {
        const std::size_t n = layer->count_params();
        total += n;
        rows.push_back({layer->name() + " (" + layer->type_name() + ")", detail::batch_shape(layer->output_shape()),
                        std::to_string(n)});
    }
    const std::string s =
        detail::summary_table(name(), {"Layer (type)", "Output Shape", "Param #"}, {28, 26, 10}, rows, total,
                              detail::non_trainable_params(*this));
    if (out) *out << s;
    return s;
}

}  // namespace xgrad::nn
