// The backward engine: reverse topological order found with an explicit stack, gradients
// accumulated per node, leaves' grad() updated with +=.
#include "xgrad/autograd.hpp"

#include <cmath>
#include <optional>
#include <unordered_set>

#include "xgrad/format.hpp"
#include "xgrad/graph.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad {

namespace {

// Post-order DFS over recorded nodes that require grad, iterative so that long chains cannot
// overflow the stack. Reversed, it visits every node after all nodes that use it.
std::vector<Tensor> reverse_topological(const std::vector<Tensor>& roots) {
    std::vector<Tensor> post;
    std::unordered_set<const Node*> seen;
    std::vector<std::pair<std::shared_ptr<Node>, std::size_t>> stack;  // node, next input to visit
    auto recorded = [](const Node& n) { return !n.is_leaf && n.requires_grad; };
    for (const auto& root : roots) {
        if (!recorded(*root.node()) || !seen.insert(root.node().get()).second) continue;
        stack.emplace_back(root.node(), 0);
        while (!stack.empty()) {
            auto& [node, next] = stack.back();
            if (next < node->inputs.size()) {
                const std::shared_ptr<Node>& in = node->inputs[next++];
                if (recorded(*in) && seen.insert(in.get()).second) stack.emplace_back(in, 0);
                continue;
            }
            post.emplace_back(std::move(node));
            stack.pop_back();
        }
    }
    return {post.rbegin(), post.rend()};
}

void check_anomaly(const Tensor& node, std::size_t input, const Tensor& g) {
    const float* p = g.value().data();
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (!std::isfinite(p[i])) {
            throw ValueError("anomaly: backward of '" + node.label() + "' (op " + node.op() + ") produced " +
                             (std::isnan(p[i]) ? "NaN" : "Inf") + " in the gradient of input " +
                             std::to_string(input) + " " + describe(node.inputs()[input]));
        }
    }
}

}  // namespace

BackwardEngine::BackwardEngine(std::vector<Tensor> roots, std::vector<Tensor> seeds, EngineOptions options)
    : options_(options) {
    // A recorded backward refers to the forward graph, so it must stay usable (as in PyTorch).
    if (options_.create_graph) options_.retain_graph = true;
    if (roots.size() != seeds.size()) {
        throw GraphError("backward: " + std::to_string(roots.size()) + " outputs but " +
                         std::to_string(seeds.size()) + " gradients");
    }
    for (std::size_t i = 0; i < roots.size(); ++i) {
        const Tensor& r = roots[i];
        if (!r.defined()) throw GraphError("backward: undefined output tensor");
        if (!r.requires_grad()) {
            throw GraphError("backward: tensor " + describe(r) +
                             " does not require grad: no parameter contributes to it (or it was "
                             "computed under NoGradGuard)");
        }
        if (!seeds[i].defined()) throw GraphError("backward: undefined gradient for output " + describe(r));
        if (seeds[i].shape() != r.shape()) {
            throw ShapeError("backward: gradient " + describe(seeds[i]) + " does not match output " +
                             describe(r));
        }
    }
    order_ = reverse_topological(roots);
    for (std::size_t i = 0; i < roots.size(); ++i) {
        bool had = false;
        add_gradient(roots[i].node().get(), seeds[i], &had);
    }
    if (order_.empty()) finish();
}

namespace {
// acc + g, written into acc's buffer when nothing else can see it: no graph is being recorded,
// acc is a plain value, and this engine holds its only handle (a gradient that an op passed
// through unchanged, like add's, is shared and gets a fresh buffer).
Tensor accumulate(Tensor acc, const Tensor& g, bool create_graph) {
    if (!create_graph && acc.is_leaf() && acc.node().use_count() == 1 && acc.shape() == g.shape()) {
        NoGradGuard no_grad;
        acc.add_(g);
        return acc;
    }
    return add(acc, g);
}
}  // namespace

void BackwardEngine::add_gradient(Node* target, const Tensor& g, bool* had_one) {
    // Leaves collect into grad() when accumulating; everything else into the pending map.
    if (target->is_leaf && options_.accumulate) {
        *had_one = target->grad != nullptr;
        if (!*had_one) {
            target->grad = g.node();
        } else {
            // Moved out, so `accumulate` sees the only handle unless someone else holds one.
            Tensor acc(std::move(target->grad));
            target->grad = accumulate(std::move(acc), g, options_.create_graph).node();
        }
        return;
    }
    auto [it, inserted] = pending_.try_emplace(target, g);
    *had_one = !inserted;
    if (!inserted) {
        Tensor acc = std::move(it->second);
        it->second = accumulate(std::move(acc), g, options_.create_graph);
    }
}

BackwardStep BackwardEngine::step() {
    if (done()) throw GraphError("backward: no steps left");
    const Tensor& t = order_[position_];
    Node& node = *t.node();
    if (node.released || !node.backward) {
        throw GraphError("backward: the graph through '" + node.label + "' (node " + std::to_string(node.id) +
                         ") was freed by an earlier backward(); pass retain_graph=true to the first "
                         "backward to run backward through it again");
    }
    BackwardStep rec;
    rec.node = t;
    auto it = pending_.find(&node);
    if (it == pending_.end()) {
        // Reachable from a root, but every path to it ended in an op that passes no gradient to
        // that input (max pooling's routing to its indices, a condition): its gradient is zero
        // and nothing flows further from here.
        rec.grad_output = zeros_like(t);
        rec.input_grads.assign(t.inputs().size(), Tensor());
        rec.accumulated.assign(t.inputs().size(), false);
        ++position_;
        if (done()) finish();
        return rec;
    }
    rec.grad_output = it->second;
    pending_.erase(it);
    if (node.retains_grad && options_.accumulate) {  // xgrad::grad leaves every grad() alone
        node.grad = node.grad ? add(Tensor(node.grad), rec.grad_output).node() : rec.grad_output.node();
    }

    std::vector<Tensor> inputs = t.inputs();
    std::vector<bool> needs(inputs.size());
    for (std::size_t i = 0; i < inputs.size(); ++i) needs[i] = inputs[i].requires_grad();
    {
        std::optional<NoGradGuard> guard;
        if (!options_.create_graph) guard.emplace();
        rec.input_grads = node.backward(BackwardContext{rec.grad_output, inputs, t, needs});
        rec.accumulated.assign(inputs.size(), false);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            Tensor& g = rec.input_grads[i];
            if (!needs[i] || !g.defined()) continue;
            if (g.shape() != inputs[i].shape()) {
                throw ShapeError("backward of '" + node.label + "': gradient " + describe(g) +
                                 " for input " + std::to_string(i) + " does not match " + describe(inputs[i]));
            }
            if (AnomalyGuard::enabled()) check_anomaly(t, i, g);
            bool had = false;
            add_gradient(inputs[i].node().get(), g, &had);
            rec.accumulated[i] = had;
        }
    }
    ++position_;
    if (done()) finish();
    return rec;
}

void BackwardEngine::run() {
    while (!done()) step();
}

void BackwardEngine::finish() {
    if (options_.retain_graph) return;
    for (auto& t : order_) {
        t.node()->released = true;
        t.node()->backward = nullptr;
    }
}

Tensor BackwardEngine::gradient(const Tensor& t) const {
    const Node* n = t.node().get();
    if (n->is_leaf && options_.accumulate) return Tensor(t.node()->grad);
    auto it = pending_.find(n);
    return it == pending_.end() ? Tensor() : it->second;
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options) {
    std::vector<Tensor> seeds = options.grad_outputs;
    if (seeds.empty()) {
        for (const auto& o : outputs) {
            if (!o.defined()) throw GraphError("grad: undefined output tensor");
            if (o.size() != 1) {
                throw GraphError("grad: output " + describe(o) +
                                 " is not a scalar; pass grad_outputs with one gradient per output");
            }
            seeds.push_back(ones_like(o));
        }
    }
    for (const auto& in : inputs) {
        if (!in.defined()) throw GraphError("grad: undefined input tensor");
        if (!in.requires_grad()) throw GraphError("grad: input " + describe(in) + " does not require grad");
    }
    // The engine drops a node's pending gradient when it steps it, so keep those of the
    // requested inputs that are themselves recorded nodes as they complete.
    BackwardEngine engine(outputs, seeds, {options.retain_graph, options.create_graph, false});
    std::unordered_map<const Node*, std::size_t> wanted;
    for (std::size_t i = 0; i < inputs.size(); ++i) wanted.emplace(inputs[i].node().get(), i);
    std::vector<Tensor> result(inputs.size());
    auto collect = [&](const Tensor& t) {
        auto w = wanted.find(t.node().get());
        if (w != wanted.end()) result[w->second] = engine.gradient(t);
    };
    while (!engine.done()) {
        collect(engine.order()[engine.position()]);
        engine.step();
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        if (!result[i].defined()) result[i] = engine.gradient(inputs[i]);
        if (!result[i].defined() && !options.allow_unused) {
            throw GraphError("grad: input " + std::to_string(i) + " " + describe(inputs[i]) +
                             " is not used by the outputs; pass allow_unused=true to get an undefined "
                             "gradient instead");
        }
    }
    // Leaves' entries in `wanted` that are reached are in the pending map; duplicates in inputs
    // share one result.
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        auto w = wanted.find(inputs[i].node().get());
        if (w->second != i) result[i] = result[w->second];
    }
    return result;
}

}  // namespace xgrad
