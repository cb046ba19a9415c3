// Backward diagrams: the ops a create_graph backward pass records, named after the forward
// tensors whose gradients they are.
#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "viz/drawing.hpp"
#include "xgrad/autograd.hpp"
#include "xgrad/format.hpp"

namespace xgrad::viz {

namespace {

// The engine adds into grad() of retain_grad() tensors even with accumulate off; a diagram
// must not change the user's state, so those gradients are put back afterwards.
class RestoreGrads {
public:
    explicit RestoreGrads(const std::vector<Tensor>& nodes) {
        for (const auto& t : nodes) {
            if (t.node()->retains_grad) saved_.emplace_back(t.node(), t.node()->grad);
        }
    }
    ~RestoreGrads() {
        for (auto& [node, grad] : saved_) node->grad = std::move(grad);
    }
    RestoreGrads(const RestoreGrads&) = delete;
    RestoreGrads& operator=(const RestoreGrads&) = delete;

private:
    std::vector<std::pair<std::shared_ptr<Node>, std::shared_ptr<Node>>> saved_;
};

std::string title_of(const Tensor& t) { return t.label().empty() ? t.op() : t.label(); }

}  // namespace

std::string backward_to_dot(const Tensor& loss, const DotOptions& o) {
    const std::string caller = "backward_to_dot";
    detail::check_options(caller, o);
    if (!loss.defined()) throw ValueError(caller + ": loss is an undefined tensor");
    if (loss.size() != 1) {
        throw ValueError(caller + ": loss " + describe(loss) + " is not a one-element tensor");
    }
    if (!loss.requires_grad()) {
        throw ValueError(caller + ": loss " + describe(loss) +
                         " does not require grad: no parameter contributes to it");
    }
    const std::vector<Tensor> forward = detail::reachable({loss});
    for (const auto& t : forward) {
        if (t.node()->released) {
            throw GraphError(caller + ": the graph of " + describe(loss) +
                             " was freed by an earlier backward(); pass retain_graph=true to that "
                             "backward to draw the gradient graph afterwards");
        }
    }
    // Nodes made by the backward pass have larger ids than every forward node.
    const std::uint64_t fwd_max = forward.back().id();
    RestoreGrads restore(forward);

    // A seed that requires grad makes every gradient op record its inputs, so the whole
    // gradient computation is linked (a constant seed would leave the first ops unlinked).
    Array ones = loss.value();
    ones.fill(1.f);
    const Tensor seed = parameter(std::move(ones), "dL/d" + title_of(loss));

    std::map<std::uint64_t, std::pair<Tensor, Tensor>> total;  // forward id -> (tensor, its gradient)
    struct Part {
        Tensor grad, input, via;
        std::size_t index;  // which input of `via`
    };
    std::vector<Part> parts;            // one op's contribution to an input's gradient
    std::set<std::uint64_t> accum;      // adds that accumulate contributions (drawn "+=")
    std::map<std::uint64_t, std::string> group;  // gradient node -> scope of the op it differentiates
    auto assign = [&](const Tensor& from, const std::string& scope) {
        std::vector<Tensor> stack = {from};
        while (!stack.empty()) {
            Tensor t = std::move(stack.back());
            stack.pop_back();
            if (t.id() <= fwd_max || t.id() == seed.id() || !group.emplace(t.id(), scope).second) continue;
            for (const auto& in : t.node()->inputs) stack.emplace_back(in);
        }
    };

    BackwardEngine engine({loss}, {seed}, {/*retain_graph=*/true, /*create_graph=*/true, /*accumulate=*/false});
    while (!engine.done()) {
        BackwardStep s = engine.step();
        total[s.node.id()] = {s.node, s.grad_output};
        const std::vector<Tensor> inputs = s.node.inputs();
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (!s.input_grads[i].defined()) continue;
            parts.push_back({s.input_grads[i], inputs[i], s.node, i});
            assign(s.input_grads[i], s.node.scope());
            const Tensor sum = engine.gradient(inputs[i]);
            if (!sum.defined()) continue;
            if (s.accumulated[i]) accum.insert(sum.id());
            assign(sum, s.node.scope());
        }
    }
    for (const auto& t : forward) {
        if (t.is_leaf() && t.requires_grad()) {
            const Tensor g = engine.gradient(t);
            if (g.defined()) total[t.id()] = {t, g};
        }
    }

    std::map<std::uint64_t, std::vector<std::string>> names;
    auto name = [&](const Tensor& g, const std::string& n) {
        auto& v = names[g.id()];
        if (std::find(v.begin(), v.end(), n) == v.end()) v.push_back(n);
    };
    name(seed, "dL/d" + title_of(loss));
    for (const auto& [id, tg] : total) name(tg.second, "dL/d" + title_of(tg.first));
    for (const auto& p : parts) {
        if (names.count(p.grad.id()) == 0) {
            name(p.grad, "dL/d" + title_of(p.input) + " part via " + title_of(p.via) + "[" +
                             std::to_string(p.index) + "]");
        }
    }

    // Everything the gradients are computed from, stopping at forward tensors.
    std::vector<Tensor> starts = {seed};
    for (const auto& [id, tg] : total) starts.push_back(tg.second);
    for (const auto& p : parts) starts.push_back(p.grad);
    std::vector<Tensor> nodes;
    {
        std::unordered_set<std::uint64_t> seen;
        std::vector<Tensor> stack;
        for (const auto& t : starts) {
            if (seen.insert(t.id()).second) stack.push_back(t);
        }
        while (!stack.empty()) {
            Tensor t = std::move(stack.back());
            stack.pop_back();
            if (t.id() > fwd_max) {
                for (const auto& in : t.node()->inputs) {
                    if (seen.insert(in->id).second) stack.emplace_back(in);
                }
            }
            nodes.push_back(std::move(t));
        }
    }
    std::sort(nodes.begin(), nodes.end(), [](const Tensor& a, const Tensor& b) { return a.id() < b.id(); });

    detail::Drawing d;
    d.caller = caller;
    for (const auto& t : nodes) {
        detail::Item item;
        item.id = t.id();
        item.shape = shape_str(t.shape());
        item.size = t.size();
        detail::fill_value_and_grad(item, t, o);
        if (t.id() <= fwd_max) {
            item.kind = detail::Kind::Forward;
            item.title = title_of(t);
            item.group = t.scope();
            item.heat.reset();
            item.grad_text.clear();  // the diagram is about the new gradients, not stored ones
            d.items.push_back(std::move(item));
            continue;
        }
        auto n = names.find(t.id());
        if (n != names.end()) {
            for (std::size_t k = 0; k < n->second.size(); ++k) item.title += (k ? " = " : "") + n->second[k];
        } else {
            item.title = title_of(t);
        }
        if (t.id() == seed.id()) {
            item.kind = detail::Kind::Seed;
        } else {
            item.kind = t.requires_grad() ? detail::Kind::Gradient : detail::Kind::Input;
            if (!item.heat) item.heat = detail::norm(t.value());  // colour a gradient by its own size
        }
        if (!t.node()->inputs.empty()) {
            item.op_label = accum.count(t.id()) ? "+=" : detail::op_text(t);
            for (const auto& in : t.node()->inputs) item.inputs.push_back(in->id);
        }
        if (auto g = group.find(t.id()); g != group.end()) item.group = g->second;
        d.items.push_back(std::move(item));
    }
    return detail::emit(d, o);
}

}  // namespace xgrad::viz
