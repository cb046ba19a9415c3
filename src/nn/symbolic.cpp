// Symbolic tensors and calling a module on them: naming, the dry run that builds the layer and
// finds its output shapes, and the shared twin that a functional graph owns.
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>

#include "nn/naming.hpp"
#include "xgrad/format.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

namespace detail {
std::uint64_t next_symbolic_id() {
    static std::atomic<std::uint64_t> next{1};
    return next++;
}

// Unique until a model renumbers the layers it holds (in graph order, or in stack order).
std::string counted_name(const std::string& base) {
    static std::mutex mutex;
    static std::map<std::string, std::size_t> counts;
    std::lock_guard lock(mutex);
    return base + "_" + std::to_string(++counts[base]);
}
}  // namespace detail

namespace {

const detail::SymbolicNode& checked(const std::shared_ptr<detail::SymbolicNode>& n) {
    if (!n) throw ValueError("symbolic tensor: undefined (default-constructed); create one with nn::Input");
    return *n;
}

}  // namespace

const Shape& SymbolicTensor::shape() const { return checked(node_).shapes.at(slot_); }
std::size_t SymbolicTensor::num_slots() const { return checked(node_).shapes.size(); }
std::string SymbolicTensor::name() const {
    const auto& n = checked(node_);
    return n.layer ? n.layer->name() : n.input_name;
}
bool SymbolicTensor::is_input() const { return !checked(node_).layer; }
std::shared_ptr<Module> SymbolicTensor::layer() const { return checked(node_).layer; }
std::vector<SymbolicTensor> SymbolicTensor::inputs() const {
    std::vector<SymbolicTensor> out;
    const auto& n = checked(node_);
    for (std::size_t i = 0; i < n.inputs.size(); ++i) out.emplace_back(n.inputs[i], n.input_slots[i]);
    return out;
}

SymbolicTensor Input(Shape shape, std::string name) {
    if (name.empty()) name = detail::counted_name("input");
    if (shape.empty()) throw ValueError("Input '" + name + "': the per-sample shape is empty; give e.g. {20}");
    for (auto d : shape) {
        if (d == 0) throw ValueError("Input '" + name + "': per-sample shape " + shape_str(shape) + " has a 0 extent");
    }
    auto node = std::make_shared<detail::SymbolicNode>();
    node->id = detail::next_symbolic_id();
    node->shapes = {std::move(shape)};
    node->input_name = std::move(name);
    return SymbolicTensor(std::move(node));
}

std::string describe_symbolic(const SymbolicTensor& t) {
    // Appended piece by piece: GCC 12 flags `"'" + name` with a false -Wstringop-overflow.
    std::string s(1, '\'');
    s += t.name();
    s += '\'';
    if (t.num_slots() > 1) {
        s += '[';
        s += std::to_string(t.slot());
        s += ']';
    }
    s += " (None";
    for (auto d : t.shape()) s += ", " + std::to_string(d);
    return s + ")";
}

// ---- Module's side --------------------------------------------------------------------------

Module::Module(const Module& other)
    : std::enable_shared_from_this<Module>(other),
      name_(other.name_),
      path_(other.path_),
      training_(other.training_),
      automatic_name_(other.automatic_name_),
      params_(other.params_),
      children_(other.children_) {}

Module& Module::operator=(const Module& other) {
    if (this == &other) return *this;
    name_ = other.name_;
    path_ = other.path_;
    training_ = other.training_;
    automatic_name_ = other.automatic_name_;
    params_ = other.params_;
    children_ = other.children_;
    twin_.reset();
    return *this;
}

void Module::set_automatic_name(std::string name) {
    set_name(std::move(name));
    automatic_name_ = true;
}

// Keras' names: the class name in snake_case (max_pooling2d_1), as a Sequential names its layers.
std::string Module::automatic_name_base() const { return detail::snake_case(type_name()); }

std::shared_ptr<Module> Module::clone() const {
    throw ValueError(type_name() + " '" + name_ +
                     "' cannot be adopted by a functional model: it does not implement clone(). Create it with "
                     "std::make_shared and call (*layer)(x), or override clone() to return "
                     "std::make_shared<" + type_name() + ">(*this)");
}

Tensor Module::forward_inputs(const std::vector<Tensor>& inputs) {
    if (inputs.size() != 1) {
        throw ValueError(type_name() + " '" + name_ + "' takes 1 input, got " + std::to_string(inputs.size()));
    }
    return forward(inputs[0]);
}

std::vector<Tensor> Module::forward_all(const std::vector<Tensor>& inputs, const std::vector<bool>& without_activation) {
    // A separable activation is only defined for one input (forward_without_activation(x)).
    if (inputs.size() == 1 && !without_activation.empty() && without_activation[0]) {
        return {forward_without_activation(inputs[0])};
    }
    return {inputs.size() == 1 ? forward(inputs[0]) : forward_inputs(inputs)};
}

std::vector<std::optional<Activation>> Module::output_activations() const { return {activation()}; }

SymbolicTensor Module::operator()(const SymbolicTensor& x) { return (*this)(std::vector<SymbolicTensor>{x}); }

SymbolicTensor Module::operator()(const std::vector<SymbolicTensor>& inputs) {
    std::vector<SymbolicTensor> outs = call_all(inputs);
    if (outs.size() != 1) {
        std::string args, results;
        for (const auto& in : inputs) args += (args.empty() ? "" : ", ") + describe_symbolic(in);
        for (const auto& out : outs) results += (results.empty() ? "" : ", ") + describe_symbolic(out);
        throw ValueError("calling " + type_name() + " '" + name_ + "' on " + args + ": it has " +
                         std::to_string(outs.size()) + " outputs (" + results +
                         "), not one symbolic tensor; call_all(...) returns one per output");
    }
    return outs[0];
}

std::vector<SymbolicTensor> Module::call_all(const SymbolicTensor& x) { return call_all(std::vector<SymbolicTensor>{x}); }

std::vector<SymbolicTensor> Module::call_all(const std::vector<SymbolicTensor>& inputs) {
    if (name_.empty()) set_automatic_name(detail::counted_name(automatic_name_base()));
    if (inputs.empty()) throw ValueError(type_name() + " '" + name_ + "' was called on no symbolic tensors");
    std::string args;
    for (const auto& in : inputs) {
        if (!in.defined()) throw ValueError(type_name() + " '" + name_ + "' was called on an undefined symbolic tensor");
        args += (args.empty() ? "" : ", ") + describe_symbolic(in);
    }
    // Dry run on one sample of zeros: builds the layer (its parameters are created here, before
    // any twin copies them) and gives the output shapes; shape errors name the inputs.
    std::vector<Tensor> ys;
    {
        std::vector<Tensor> zs;
        for (const auto& in : inputs) {
            Shape s{1};
            s.insert(s.end(), in.shape().begin(), in.shape().end());
            zs.push_back(zeros(s));
        }
        NoGradGuard no_grad;
        const bool was_training = training_;
        train(false);
        const std::string where = "calling " + type_name() + " '" + name_ + "' on " + args + ": ";
        try {
            ys = forward_all(zs);
        } catch (const ShapeError& e) {
            train(was_training);
            throw ShapeError(where + e.what());
        } catch (const ValueError& e) {
            train(was_training);
            throw ValueError(where + e.what());
        }
        train(was_training);
        if (ys.empty()) throw ValueError(where + "it returned no outputs");
        for (const auto& y : ys) {
            if (y.ndim() == 0 || y.shape()[0] != 1) {
                throw ShapeError(where + "the output " + shape_str(y.shape()) + " does not keep the batch axis");
            }
        }
    }
    std::shared_ptr<Module> self = weak_from_this().lock();
    if (!self) {
        if (!twin_) twin_ = clone();
        self = twin_;
    }
    // One node for the call, whatever the number of outputs: the graph runs the layer once.
    auto node = std::make_shared<detail::SymbolicNode>();
    node->id = detail::next_symbolic_id();
    node->layer = std::move(self);
    for (const auto& in : inputs) {
        node->inputs.push_back(in.node());
        node->input_slots.push_back(in.slot());
    }
    for (const auto& y : ys) node->shapes.emplace_back(y.shape().begin() + 1, y.shape().end());
    std::vector<SymbolicTensor> outs;
    for (std::size_t k = 0; k < ys.size(); ++k) outs.emplace_back(node, k);
    return outs;
}

}  // namespace xgrad::nn
