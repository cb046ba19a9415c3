// Node lifetime, recording and the thread-local recording state (grad mode, scopes, anomaly).
#include "xgrad/graph.hpp"

#include <atomic>
#include <cmath>

#include "xgrad/format.hpp"

namespace xgrad {

namespace {
thread_local bool t_grad_enabled = true;
thread_local bool t_anomaly = false;
thread_local bool t_record_in_place = false;
thread_local std::string t_scope;
std::atomic<std::uint64_t> g_next_id{1};

void check_finite(const OpInfo& info, const std::vector<Tensor>& inputs, const Array& value,
                  const std::string& label) {
    const float* p = value.data();
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (std::isfinite(p[i])) continue;
        std::string msg = "anomaly: op '" + info.name + "'";
        if (!label.empty()) msg += " ('" + label + "')";
        msg += " produced " + std::string(std::isnan(p[i]) ? "NaN" : "Inf") + " at flat index " +
               std::to_string(i) + " of its result " + shape_str(value.shape());
        if (!inputs.empty()) {
            msg += " from inputs";
            for (const auto& in : inputs) msg.append(" ").append(describe(in));
        }
        throw ValueError(msg);
    }
}
}  // namespace

namespace detail {
std::shared_ptr<Node> make_leaf(Array value, std::string op, std::string label, bool requires_grad) {
    auto node = std::make_shared<Node>();
    node->id = g_next_id++;
    node->op = std::move(op);
    node->label = std::move(label);
    node->scope = t_scope;
    node->value = std::move(value);
    node->requires_grad = requires_grad;
    return node;
}
}  // namespace detail

Node::~Node() {
    // Unlink the inputs (and a recorded gradient) without recursing: a node whose last owner
    // is this stack gives its own inputs to the stack before it dies.
    std::vector<std::shared_ptr<Node>> stack;
    auto take = [&stack](Node& n) {
        for (auto& in : n.inputs) stack.push_back(std::move(in));
        n.inputs.clear();
        if (n.grad) stack.push_back(std::move(n.grad));
        n.backward = nullptr;  // closures may hold tensors too
    };
    take(*this);
    while (!stack.empty()) {
        std::shared_ptr<Node> n = std::move(stack.back());
        stack.pop_back();
        if (n && n.use_count() == 1) take(*n);
    }
}

Tensor record(OpInfo info, std::vector<Tensor> inputs, Array value, BackwardFn backward) {
    bool needs_grad = false;
    if (t_grad_enabled) {
        for (const auto& in : inputs) needs_grad = needs_grad || in.requires_grad();
    }
    auto node = std::make_shared<Node>();
    node->id = g_next_id++;
    node->op = info.name;
    node->scope = t_scope;
    node->label = t_scope.empty() ? info.name : t_scope + "/" + info.name;
    if (t_anomaly) check_finite(info, inputs, value, node->label);
    node->value = std::move(value);
    node->rule = std::move(info.rule);
    node->attrs = std::move(info.attrs);
    node->is_leaf = !needs_grad;
    node->requires_grad = needs_grad;
    if (needs_grad) {
        node->inputs.reserve(inputs.size());
        for (auto& in : inputs) node->inputs.push_back(in.node());
        node->backward = std::move(backward);
    }
    return Tensor(std::move(node));
}

bool grad_enabled() { return t_grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

EnableGradGuard::EnableGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = true; }
EnableGradGuard::~EnableGradGuard() { t_grad_enabled = previous_; }

NameScope::NameScope(const std::string& name) : previous_(t_scope) {
    t_scope = t_scope.empty() ? name : t_scope + "/" + name;
}
NameScope::~NameScope() { t_scope = previous_; }
const std::string& NameScope::current() { return t_scope; }

RecordInPlaceGuard::RecordInPlaceGuard() : previous_(t_record_in_place) { t_record_in_place = true; }
RecordInPlaceGuard::~RecordInPlaceGuard() { t_record_in_place = previous_; }
bool RecordInPlaceGuard::enabled() { return t_record_in_place; }

AnomalyGuard::AnomalyGuard(bool on) : previous_(t_anomaly) { t_anomaly = on; }
AnomalyGuard::~AnomalyGuard() { t_anomaly = previous_; }
bool AnomalyGuard::enabled() { return t_anomaly; }

}  // namespace xgrad
