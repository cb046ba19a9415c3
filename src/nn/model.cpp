// Model: the engine-facing defaults (one input, dry-run shapes), the generic summary, and the
// training configuration that compile() stores. The training itself lives in src/train.
#include "xgrad/nn/model.hpp"

#include <typeinfo>

#include "nn/functional_graph.hpp"
#include "nn/naming.hpp"
#include "nn/summary_table.hpp"
#include "xgrad/format.hpp"
#include "xgrad/optim/optimizers.hpp"

namespace xgrad::nn {

Model::Model(std::string name) : Model(std::move(name), "model") {}

Model::Model(std::string name, const std::string& automatic_base) {
    // Numbered like layers (dense_1, dense_2): two default-named models nested in one outer
    // model do not clash, and the outer model renumbers them in graph order (FunctionalGraph).
    if (name.empty()) {
        set_display_name(detail::counted_name(automatic_base), true);
    } else {
        set_display_name(std::move(name));
    }
}

std::shared_ptr<Module> Model::clone() const {
    // A copy as a plain Model would drop a subclass's forward: only a plain Model copies itself.
    if (typeid(*this) != typeid(Model)) return Module::clone();
    return std::make_shared<Model>(*this);
}

std::size_t Model::num_inputs() const { return graph_ ? graph_->inputs.size() : 1; }

std::size_t Model::num_outputs() const { return graph_ ? graph_->outputs.size() : 1; }

std::vector<std::string> Model::input_names() const {
    if (!graph_) return {"input"};
    std::vector<std::string> out;
    for (std::size_t p : graph_->inputs) out.push_back(graph_->nodes[p].input_name);
    return out;
}

std::vector<std::string> Model::output_names() const {
    if (graph_) return graph_->output_names;
    if (!children().empty()) return {children().back().first};
    return {name()};
}

std::vector<std::optional<Activation>> Model::output_activations() const {
    if (!graph_) return {activation()};
    std::vector<std::optional<Activation>> out;
    for (std::size_t i = 0; i < graph_->outputs.size(); ++i) out.push_back(graph_->output_activation(i));
    return out;
}

std::optional<Activation> Model::activation() const {
    if (wrapped_) return wrapped_->activation();
    if (graph_ && graph_->outputs.size() == 1) return graph_->output_activation(0);
    return std::nullopt;
}

Shape Model::output_shape() const {
    if (graph_ && graph_->outputs.size() == 1) return graph_->nodes[graph_->outputs[0]].shapes.at(graph_->output_slots[0]);
    if (wrapped_) return wrapped_->output_shape();
    return {};
}

std::vector<Shape> Model::build_inputs(const std::vector<Shape>& input_shapes) {
    if (graph_) {  // the shapes are fixed by the Inputs: check them, no dry run
        if (input_shapes.size() != graph_->inputs.size()) {
            throw ValueError("model '" + name() + "' takes " + std::to_string(graph_->inputs.size()) + " input(s), got " +
                             std::to_string(input_shapes.size()));
        }
        for (std::size_t i = 0; i < input_shapes.size(); ++i) {
            const auto& node = graph_->nodes[graph_->inputs[i]];
            if (input_shapes[i] != node.shapes[0]) {
                throw ShapeError("model '" + name() + "': input '" + node.input_name + "' expects per-sample shape " +
                                 shape_str(node.shapes[0]) + ", got " + shape_str(input_shapes[i]));
            }
        }
        std::vector<Shape> out;
        for (std::size_t i = 0; i < graph_->outputs.size(); ++i) {
            out.push_back(graph_->nodes[graph_->outputs[i]].shapes.at(graph_->output_slots[i]));
        }
        return out;
    }
    if (input_shapes.size() != num_inputs()) {
        throw ValueError("model '" + name() + "' takes " + std::to_string(num_inputs()) + " input(s), got " +
                         std::to_string(input_shapes.size()));
    }
    // A dry run on one sample of zeros: inference mode (no batch statistics are updated), no
    // recording. Layers create their parameters on first use, so this also builds the model.
    std::vector<Tensor> zeros_in;
    for (const auto& s : input_shapes) {
        Shape batch{1};
        batch.insert(batch.end(), s.begin(), s.end());
        zeros_in.push_back(zeros(batch));
    }
    NoGradGuard no_grad;
    const bool was_training = is_training();
    eval();
    std::vector<Tensor> outs;
    try {
        outs = forward_all(zeros_in);
    } catch (...) {
        train(was_training);
        throw;
    }
    train(was_training);
    set_input_shapes(input_shapes);
    std::vector<Shape> shapes;
    for (const auto& o : outs) {
        const Shape s = o.shape_vector();
        shapes.emplace_back(s.empty() ? s.begin() : s.begin() + 1, s.end());
    }
    return shapes;
}

std::vector<Tensor> Model::forward_all(const std::vector<Tensor>& inputs, const std::vector<bool>& without_activation) {
    if (graph_) return graph_->run(inputs, without_activation, name());
    if (inputs.size() != 1) {
        throw ValueError("model '" + name() + "' takes 1 input, got " + std::to_string(inputs.size()));
    }
    const bool logits = !without_activation.empty() && without_activation[0];
    return {logits ? forward_without_activation(inputs[0]) : forward(inputs[0])};
}

Tensor Model::forward(const Tensor& x) {
    if (wrapped_) return wrapped_->forward(x);
    if (graph_) {
        if (graph_->outputs.size() != 1) {
            throw ValueError("model '" + name() + "' has " + std::to_string(graph_->outputs.size()) +
                             " outputs; call forward_all to get them all");
        }
        return graph_->run({x}, {}, name())[0];
    }
    throw ValueError("model '" + name() + "' (" + type_name() +
                     ") has no forward: subclass nn::Model and override forward(), or build it from "
                     "nn::Input tensors");
}

Tensor Model::forward_without_activation(const Tensor& x) {
    if (wrapped_) return wrapped_->forward_without_activation(x);
    if (graph_ && graph_->outputs.size() == 1 && graph_->output_activation(0)) return graph_->run({x}, {true}, name())[0];
    return Module::forward_without_activation(x);
}

std::string Model::summary(std::ostream* out) const {
    if (graph_) {
        const std::string s = graph_->summary(name(), count_params());
        if (out) *out << s;
        return s;
    }
    std::vector<std::vector<std::string>> rows;
    std::size_t total = 0;
    for (const auto& [n, child] : children()) {
        const std::size_t k = child->count_params();
        total += k;
        rows.push_back({n + " (" + child->type_name() + ")", detail::batch_shape(child->output_shape()), std::to_string(k)});
    }
    const std::size_t own = count_params() - total;  // parameters registered on the model itself
    if (own > 0) {
        rows.push_back({name() + " (own parameters)", "", std::to_string(own)});
        total += own;
    }
    const std::string s =
        detail::summary_table(name(), {"Layer (type)", "Output Shape", "Param #"}, {28, 26, 10}, rows, total,
                              detail::non_trainable_params(*this));
    if (out) *out << s;
    return s;
}

// ---- compile ------------------------------------------------------------------------------

void Model::compile(const optim::Optimizer& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics) {
    compile(optimizer.clone(), std::move(loss), std::move(metrics));
}

void Model::compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics) {
    compile(std::move(optimizer), CompileOptions{.loss = {std::move(loss)}, .metrics = std::move(metrics)});
}

void Model::compile(const std::string& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics) {
    compile(optim::get(optimizer), std::move(loss), std::move(metrics));
}

void Model::compile(const optim::Optimizer& optimizer, CompileOptions options) {
    compile(optimizer.clone(), std::move(options));
}

void Model::compile(const std::string& optimizer, CompileOptions options) {
    compile(optim::get(optimizer), std::move(options));
}

void Model::compile(std::shared_ptr<optim::Optimizer> optimizer, CompileOptions options) {
    if (!optimizer) throw ValueError("compile: null optimizer");
    const std::size_t outs = num_outputs();
    const std::string who = "compile: model '" + name() + "' has " + std::to_string(outs) + " output(s)";
    if (options.loss.empty()) throw ValueError("compile: no loss given for model '" + name() + "'");
    if (options.loss.size() != 1 && options.loss.size() != outs) {
        throw ValueError(who + " but " + std::to_string(options.loss.size()) + " losses were given (give 1 or " +
                         std::to_string(outs) + ")");
    }
    if (!options.loss_weights.empty() && options.loss_weights.size() != outs) {
        throw ValueError(who + " but " + std::to_string(options.loss_weights.size()) + " loss_weights were given");
    }
    if (!options.output_metrics.empty() && options.output_metrics.size() != outs) {
        throw ValueError(who + " but output_metrics has " + std::to_string(options.output_metrics.size()) + " lists");
    }
    optimizer_ = std::move(optimizer);
    config_ = std::move(options);
    if (built()) optimizer_->attach(named_parameters());
}

void Model::require_compiled(const char* who) const {
    if (!compiled()) {
        throw ValueError(std::string(who) + ": model '" + name() +
                         "' is not compiled; call compile(optimizer, loss, metrics) first");
    }
}

optim::Optimizer& Model::optimizer() {
    require_compiled("optimizer");
    return *optimizer_;
}

const optim::Optimizer& Model::optimizer() const {
    require_compiled("optimizer");
    return *optimizer_;
}

const losses::Loss& Model::loss() const { return loss(0); }

const losses::Loss& Model::loss(std::size_t output) const {
    require_compiled("loss");
    return config_.loss.size() == 1 ? config_.loss[0] : config_.loss.at(output);
}

double Model::loss_weight(std::size_t output) const {
    return config_.loss_weights.empty() ? 1.0 : config_.loss_weights.at(output);
}

std::vector<metrics::Metric> Model::metrics(std::size_t output) const {
    std::vector<metrics::Metric> out = config_.metrics;
    if (!config_.output_metrics.empty()) {
        const auto& own = config_.output_metrics.at(output);
        out.insert(out.end(), own.begin(), own.end());
    }
    return out;
}

bool Model::uses_fused_softmax_cross_entropy(std::size_t output) const {
    if (!compiled() || loss(output).name() != "categorical_crossentropy") return false;
    const auto acts = output_activations();
    return output < acts.size() && acts[output] == Activation::Softmax;
}

void Model::stop_training(std::string reason) {
    stop_requested_ = true;
    stop_reason_ = std::move(reason);
}

}  // namespace xgrad::nn
