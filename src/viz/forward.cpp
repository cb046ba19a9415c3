// Forward diagrams: every tensor reachable from the roots, with the op that made it.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "viz/drawing.hpp"
#include "xgrad/format.hpp"

namespace xgrad::viz {

namespace detail {

// Every node reachable from `roots` through recorded inputs, sorted by id (explicit stack:
// graphs may be long chains).
std::vector<Tensor> reachable(const std::vector<Tensor>& roots) {
    std::vector<Tensor> out;
    std::unordered_set<const Node*> seen;
    std::vector<Tensor> stack;
    for (const auto& r : roots) {
        if (seen.insert(r.node().get()).second) stack.push_back(r);
    }
    while (!stack.empty()) {
        Tensor t = std::move(stack.back());
        stack.pop_back();
        for (const auto& in : t.node()->inputs) {
            if (seen.insert(in.get()).second) stack.emplace_back(in);
        }
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const Tensor& a, const Tensor& b) { return a.id() < b.id(); });
    return out;
}

// A parameter made outside any scope but labelled "dense_1.kernel" (or "dense_1/kernel")
// belongs to the layer dense_1 when such a scope exists in the graph. Nested modules label
// with dots what they scope with slashes ("encoder.dense_1.kernel" is used in the scope
// "encoder/dense_1"), so the label's dots are also read as slashes.
std::string group_of(const Tensor& t, const std::set<std::string>& scopes) {
    if (!t.scope().empty() || !t.is_leaf()) return t.scope();
    const std::string& label = t.label();
    for (std::size_t p = label.size(); p-- > 0;) {
        if (label[p] != '.' && label[p] != '/') continue;
        const std::string prefix = label.substr(0, p);
        if (scopes.count(prefix)) return prefix;
        std::string slashed = prefix;
        std::replace(slashed.begin(), slashed.end(), '.', '/');
        if (scopes.count(slashed)) return slashed;
    }
    return "";
}

void fill_value_and_grad(Item& item, const Tensor& t, const DotOptions& o) {
    if (o.show_values) item.value_text = summarize(t.value(), o.max_value_elements);
    const Array* g = nullptr;
    Tensor stored;
    if (auto it = o.gradients.find(t.id()); it != o.gradients.end()) {
        g = &it->second;
    } else if ((stored = t.grad()).defined()) {
        g = &stored.value();
    }
    if (!g) return;
    if (o.show_grads) item.grad_text = summarize(*g, o.max_value_elements);
    item.heat = norm(*g);
}

}  // namespace detail

namespace {

detail::Drawing forward_drawing(const std::string& caller, const std::vector<Tensor>& roots, const DotOptions& o) {
    detail::check_options(caller, o);
    if (roots.empty()) throw ValueError(caller + ": no root tensors to draw");
    for (std::size_t i = 0; i < roots.size(); ++i) {
        if (!roots[i].defined()) throw ValueError(caller + ": root " + std::to_string(i) + " is an undefined tensor");
    }
    std::set<std::uint64_t> root_ids;
    for (const auto& r : roots) root_ids.insert(r.id());
    const std::vector<Tensor> nodes = detail::reachable(roots);
    if (!o.collapse_layers) {  // refuse a huge graph before summarising every value
        std::size_t count = nodes.size();
        for (const auto& t : nodes) count += t.node()->inputs.empty() ? 0 : 1;
        detail::check_size(caller, count, o);
    }
    std::set<std::string> scopes;
    for (const auto& t : nodes) {
        std::string s = t.scope();
        for (std::size_t p; !s.empty(); s = p == std::string::npos ? "" : s.substr(0, p)) {
            scopes.insert(s);
            p = s.rfind('/');
        }
    }

    detail::Drawing d;
    d.caller = caller;
    d.items.reserve(nodes.size());
    for (const auto& t : nodes) {
        detail::Item item;
        item.id = t.id();
        item.root = root_ids.count(t.id()) > 0;
        if (item.root) {
            item.kind = detail::Kind::Output;
        } else if (t.is_leaf()) {
            item.kind = t.requires_grad() ? detail::Kind::Parameter : detail::Kind::Input;
        } else {
            item.kind = detail::Kind::Intermediate;
        }
        item.title = t.label().empty() ? t.op() : t.label();
        item.shape = shape_str(t.shape());
        item.size = t.size();
        detail::fill_value_and_grad(item, t, o);
        if (!t.node()->inputs.empty()) {
            item.op_label = detail::op_text(t);
            for (const auto& in : t.node()->inputs) item.inputs.push_back(in->id);
        }
        item.group = detail::group_of(t, scopes);
        d.items.push_back(std::move(item));
    }
    return d;
}

}  // namespace

std::string to_dot(const std::vector<Tensor>& roots, const DotOptions& options) {
    return detail::emit(forward_drawing("to_dot", roots, options), options);
}

std::string to_dot(const Tensor& root, const DotOptions& options) {
    return to_dot(std::vector<Tensor>{root}, options);
}

std::string model_dot(const Tensor& output, const DotOptions& options) {
    DotOptions o = options;
    o.collapse_layers = true;
    o.show_values = false;
    o.show_grads = false;
    return detail::emit(forward_drawing("model_dot", {output}, o), o);
}

}  // namespace xgrad::viz
