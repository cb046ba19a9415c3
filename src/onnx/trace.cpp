// The traced export: a module without a registered exporter runs its forward once, in
// inference mode with recording on, on a sample batch; the recorded graph between the sample
// and the output is written op by op (traced_ops.cpp). Data-dependent control flow is frozen
// as the sample took it, as in any tracer.
#include "onnx/trace.hpp"

#include <algorithm>
#include <cmath>
#include <new>
#include <unordered_map>
#include <unordered_set>

#include "xgrad/error.hpp"
#include "xgrad/format.hpp"
#include "xgrad/nn/model.hpp"
#include "xgrad/onnx/registry.hpp"

namespace xgrad::onnx::detail {

namespace {

// The batch of the trace. Not 1, so that a reduction over the batch axis shows in the shapes,
// and not 2, a common size of small matrices a forward may build (see check_leaves).
constexpr std::size_t kBatch = 3;

// Puts back every module's training flag on scope exit (train() sets a whole subtree, so the
// flags are restored parent first, then each child's own).
class TrainingFlags {
public:
    explicit TrainingFlags(nn::Module& root) {
        std::vector<nn::Module*> stack{&root};
        while (!stack.empty()) {
            nn::Module* m = stack.back();
            stack.pop_back();
            saved_.emplace_back(m, m->is_training());
            for (auto it = m->children().rbegin(); it != m->children().rend(); ++it) stack.push_back(it->second.get());
        }
    }
    ~TrainingFlags() {
        for (auto& [m, on] : saved_) m->train(on);
    }
    TrainingFlags(const TrainingFlags&) = delete;
    TrainingFlags& operator=(const TrainingFlags&) = delete;

private:
    std::vector<std::pair<nn::Module*, bool>> saved_;
};

// A forward would build (and so create the weights of) an unbuilt child: refuse instead, as
// the exporters of built-in layers do, so exporting never changes the model.
void require_built_tree(const nn::Module& root, const TraceContext& ctx) {
    std::vector<const nn::Module*> stack{&root};
    while (!stack.empty()) {
        const nn::Module* m = stack.back();
        stack.pop_back();
        if (!m->built()) {
            ctx.fail("has a part '" + layer_scope(*m) + "' (" + m->type_name() +
                     ") that is not built; run the model once before exporting");
        }
        for (const auto& [name, child] : m->children()) stack.push_back(child.get());
    }
}

// Deterministic, non-zero and positive (log and sqrt stay finite), different in every element.
Array sample(const Shape& per_sample) {
    Shape shape{kBatch};
    shape.insert(shape.end(), per_sample.begin(), per_sample.end());
    Array x(Array::shape_type(shape.begin(), shape.end()));
    for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = 0.5f + 0.4f * std::sin(0.7f * float(i) + 0.3f);
    return x;
}

// Row indices for gather and Embedding, which refuse the float sample: 0 is a row of any table.
Array index_sample(const Shape& per_sample) {
    Shape shape{kBatch};
    shape.insert(shape.end(), per_sample.begin(), per_sample.end());
    return Array(Array::shape_type(shape.begin(), shape.end()), 0.f);
}

Shape per_sample(const Array& v) { return Shape(v.shape().begin() + 1, v.shape().end()); }

// The outputs of the forward on `samples` in inference mode, recording (the flags are put back).
// A forward is user code: a std::exception of its own (std::out_of_range from a container's at(),
// a std::runtime_error) becomes a ValueError with the same text, so that it gets the module's
// name in front like xgrad's errors; std::bad_alloc stays what it is (no input error).
std::vector<Tensor> run_forward(nn::Module& m, const std::vector<Tensor>& samples) {
    EnableGradGuard recording;
    TrainingFlags flags(m);
    m.eval();
    try {
        if (auto* model = dynamic_cast<nn::Model*>(&m)) return model->forward_all(samples);
        return {samples.size() == 1 ? m.forward(samples[0]) : m.forward_inputs(samples)};
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw ValueError(e.what());
    }
}

// `e` again, of its own type, with `prefix` before its message.
[[noreturn]] void rethrow_with(const Error& e, const std::string& prefix) {
    const std::string what = prefix + e.what();
    if (dynamic_cast<const ShapeError*>(&e)) throw ShapeError(what);
    if (dynamic_cast<const GraphError*>(&e)) throw GraphError(what);
    if (dynamic_cast<const IoError*>(&e)) throw IoError(what);
    throw ValueError(what);
}

// The samples require grad, so every op on them is recorded (record() links inputs only then).
std::vector<Tensor> samples_of(const std::vector<Value>& inputs, Array (*make)(const Shape&)) {
    std::vector<Tensor> samples;
    for (const auto& in : inputs) samples.push_back(constant(make(in.shape), in.name).set_requires_grad(true));
    return samples;
}

// Traces the forward on the float sample; a forward that refuses it (gather and Embedding take
// row indices) is traced again on row indices 0. An error on both names the module.
// Returns the outputs and the samples.
std::pair<std::vector<Tensor>, std::vector<Tensor>> trace(nn::Module& m, const std::vector<Value>& inputs,
                                                          const TraceContext& ctx) {
    std::vector<Tensor> samples = samples_of(inputs, sample);
    std::string shapes;
    for (const auto& s : samples) shapes += (shapes.empty() ? "" : ", ") + shape_str(s.shape());
    const std::string who = "onnx::export_model: module '" + ctx.scope + "' (" + m.type_name() + ") ";
    try {
        return {run_forward(m, samples), samples};
    } catch (const Error& first) {
        samples = samples_of(inputs, index_sample);
        try {
            return {run_forward(m, samples), samples};
        } catch (const Error& second) {
            if (std::string(first.what()) == second.what()) {
                rethrow_with(first, who + "fails in its traced forward on a sample batch " + shapes + ": ");
            }
            throw ValueError(who + "fails in its traced forward on a sample batch " + shapes + " of floats in [0.1, 0.9]: " +
                             first.what() + "; and on row indices 0 (for gather and Embedding): " + second.what());
        }
    }
}

}  // namespace

std::vector<Value> emit_traced(const nn::Module& module, const std::vector<Value>& inputs, GraphBuilder& graph) {
    const TraceContext base{module, layer_scope(module), kBatch, {}, {}};
    if (inputs.empty()) base.fail("gets no input");
    require_built_tree(module, base);
    // forward() is not const: the trace runs it in inference mode, and puts the flags back.
    const auto [outs, samples] = trace(const_cast<nn::Module&>(module), inputs, base);
    if (outs.empty()) base.fail("returns no outputs");
    // " as output 2 of 3" in messages when there are several.
    const auto which = [&](std::size_t k) {
        if (outs.size() == 1) return std::string();
        return " as output " + std::to_string(k + 1) + " of " + std::to_string(outs.size());
    };
    for (std::size_t k = 0; k < outs.size(); ++k) {
        if (!outs[k].defined()) base.fail("returns an undefined tensor" + which(k));
    }
    const std::uint64_t first_id = samples.front().id();

    std::unordered_map<const Node*, std::size_t> sample_index;
    for (std::size_t i = 0; i < samples.size(); ++i) sample_index[samples[i].node().get()] = i;
    std::unordered_map<const Node*, std::string> params;
    for (const auto& [name, p] : module.named_parameters()) {
        params[p.node().get()] = p.label().empty() ? base.scope + "." + name : p.label();
    }

    // The recorded nodes behind the outputs, down to leaves, each once (outputs that share work
    // share its nodes); ids grow with creation, so sorting by id puts every node after its inputs.
    std::vector<const Node*> order;
    std::unordered_set<const Node*> seen;
    std::vector<const Node*> stack;
    for (const auto& out : outs) {
        if (seen.insert(out.node().get()).second) stack.push_back(out.node().get());
    }
    while (!stack.empty()) {
        const Node* n = stack.back();
        stack.pop_back();
        order.push_back(n);
        if (sample_index.count(n)) continue;
        for (const auto& in : n->inputs) {
            if (seen.insert(in.get()).second) stack.push_back(in.get());
        }
    }
    std::sort(order.begin(), order.end(), [](const Node* a, const Node* b) { return a->id < b->id; });

    std::unordered_set<const Node*> on_batch;
    for (const Node* n : order) {
        bool dep = sample_index.count(n) > 0;
        for (const auto& in : n->inputs) dep = dep || on_batch.count(in.get()) > 0;
        if (dep) on_batch.insert(n);
    }
    for (std::size_t k = 0; k < outs.size(); ++k) {
        if (!on_batch.count(outs[k].node().get())) {
            base.fail("returns a value of shape " + shape_str(outs[k].shape()) + which(k) +
                      " that the trace cannot connect to its input (computed under NoGradGuard, detached, or "
                      "independent of the input)");
        }
    }

    std::unordered_map<const Node*, std::string> names;
    TraceContext ctx = base;
    ctx.on_batch = [&](const Node& n) { return on_batch.count(&n) > 0; };
    // A constant made during the forward with the batch as its first axis was most likely made
    // from the input (detach(), NoGradGuard, zeros({x.shape()[0], ...})). Checked on the leaves
    // behind a value: a value computed from weights alone may have any shape.
    const auto check_leaves = [&](const Node& value) {
        std::unordered_set<const Node*> visited;
        for (std::vector<const Node*> stack{&value}; !stack.empty();) {
            const Node* n = stack.back();
            stack.pop_back();
            if (!visited.insert(n).second || params.count(n)) continue;
            for (const auto& in : n->inputs) stack.push_back(in.get());
            if (n->inputs.empty() && n->id > first_id && n->value.dimension() >= 2 && n->value.shape()[0] == kBatch) {
                ctx.fail("uses a constant of shape " + shape_str(n->value.shape()) + " ('" + n->label +
                         "', made during its forward) whose first axis is the trace's batch size " +
                         std::to_string(kBatch) + ": it likely depends on the batch (detach(), NoGradGuard, or a "
                         "shape taken from the input), which an exported graph cannot follow");
            }
        }
    };
    // Values off the batch become initializers when first read: parameters under their dotted
    // names, constants and values computed from weights alone (folded) under their labels.
    ctx.name_of = [&](const Node& n) -> std::string {
        if (auto it = names.find(&n); it != names.end()) return it->second;
        if (on_batch.count(&n)) ctx.fail("reads a value before it is computed (a bug in the traced export)");
        std::string name;
        if (auto it = params.find(&n); it != params.end()) {
            name = graph.initializer(it->second, n.value);
        } else {
            check_leaves(n);
            name = graph.initializer(n.label.empty() ? ctx.scope + "/constant" : ctx.scope + "/" + n.label, n.value);
        }
        names[&n] = name;
        return name;
    };
    for (std::size_t i = 0; i < samples.size(); ++i) names[samples[i].node().get()] = inputs[i].name;

    for (const Node* n : order) {
        if (!on_batch.count(n) || sample_index.count(n)) continue;
        // The op's own checks first: they say more (a reduction over axis 0, say).
        names[n] = emit_traced_op(*n, ctx, graph);
        if (n->value.dimension() == 0 || n->value.shape()[0] != kBatch) {
            ctx.fail("uses op '" + n->op + "' making " + shape_str(n->value.shape()) + " from a batch of " +
                     std::to_string(kBatch) + " samples: the batch must stay the first axis of every value (does it "
                     "reduce or reshape over the batch?)");
        }
    }
    std::vector<Value> values;
    for (const auto& out : outs) values.push_back({names.at(out.node().get()), per_sample(out.value())});
    return values;
}

}  // namespace xgrad::onnx::detail
