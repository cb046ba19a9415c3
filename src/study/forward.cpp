// ForwardStepper: the recorded ops behind a tensor in creation order, with each op's formula.
#include "xgrad/study/forward.hpp"

#include <algorithm>
#include <set>

#include "xgrad/format.hpp"
#include "study/rule_text.hpp"

namespace xgrad::study {

namespace {

NodeInfo info(const Tensor& t) { return {t.id(), t.op(), t.label(), t.scope(), t.shape_vector()}; }

std::string s(const Tensor& t) { return shape_str(t.shape_vector()); }

// ", b broadcast over axis 0" when elementwise input `i` was stretched to the output's shape.
std::string broadcast_note(const Tensor& node, std::size_t i, const char* name) {
    const auto axes = detail::broadcast_axes(node.inputs()[i].shape_vector(), node.shape_vector());
    if (axes.empty()) return "";
    return std::string(", ") + name + " broadcast over " + (axes.size() == 1 ? "axis " : "axes ") +
           detail::join_axes(axes);
}

std::string binary(const Tensor& node) {
    // op, formula, how the two input shapes are joined in the shape part
    static const char* const table[][3] = {
        {"add", "a + b", " + "},         {"sub", "a - b", " - "},         {"mul", "a ⊙ b", " ⊙ "},
        {"div", "a / b", " / "},         {"pow", "a^b", " ^ "},           {"maximum", "max(a, b)", ", "},
        {"minimum", "min(a, b)", ", "},
    };
    const auto in = node.inputs();
    for (const auto& row : table) {
        if (node.op() != row[0]) continue;
        return std::string("C = ") + row[1] + " : " + s(in[0]) + row[2] + s(in[1]) + " → " + s(node) +
               broadcast_note(node, 0, "a") + broadcast_note(node, 1, "b");
    }
    return "";
}

std::string reduction(const Tensor& node, const char* what) {
    const std::string axes = detail::attr(node, "axes");
    return std::string("C = ") + what + " over " + (axes.find(',') == std::string::npos ? "axis " : "axes ") + axes +
           " of a : " + s(node.inputs()[0]) + " → " + s(node);
}

std::string unary(const Tensor& node) {
    const std::string& op = node.op();
    const std::string a = s(node.inputs()[0]);
    if (op == "relu") return "C = max(a, 0) : " + a;
    if (op == "sigmoid") return "C = 1 / (1 + e^-a) : " + a;
    if (op == "tanh") return "C = tanh(a) : " + a;
    if (op == "exp") return "C = e^a : " + a;
    if (op == "log") return "C = ln(a) : " + a;
    if (op == "sqrt") return "C = √a : " + a;
    if (op == "square") return "C = a² : " + a;
    if (op == "abs") return "C = |a| : " + a;
    if (op == "neg") return "C = -a : " + a;
    if (op == "clip") return "C = clip(a, [lo, hi] = " + detail::attr(node, "range") + ") : " + a;
    if (op == "pow") return "C = a^p, p = " + detail::attr(node, "p") + " : " + a;
    if (op == "softmax") return "C = e^a / Σ_row e^a : " + a;
    if (op == "log_softmax") return "C = a - ln Σ_row e^a : " + a;
    if (op == "sum") return reduction(node, "Σ");
    if (op == "mean") return reduction(node, "mean");
    if (op == "max") return reduction(node, "max");
    if (op == "reshape") return "C = reshape(a) : " + a + " → " + s(node);
    if (op == "transpose") return "C = transpose(a), perm " + detail::attr(node, "perm") + " : " + a + " → " + s(node);
    if (op == "broadcast_to") return "C = a broadcast : " + a + " → " + s(node);
    if (op == "sum_to") return "C = a summed to " + s(node) + " : " + a + " → " + s(node);
    return "";
}

std::string matmul(const Tensor& node) {
    const auto [ta, tb] = detail::matmul_transposes(node);
    const auto in = node.inputs();
    return std::string("C = A") + (ta ? "ᵀ" : "") + "·B" + (tb ? "ᵀ" : "") + " : " + s(in[0]) + (ta ? "ᵀ" : "") + "·" +
           s(in[1]) + (tb ? "ᵀ" : "") + " → " + s(node);
}

}  // namespace

std::string forward_formula(const Tensor& node) {
    if (!node.defined()) throw GraphError("forward_formula: undefined tensor");
    if (node.is_leaf()) throw GraphError("forward_formula: " + describe(node) + " is a leaf (" + node.op() + "), not an op");
    const auto in = node.inputs();
    std::string f;
    if (node.op() == "matmul" && in.size() == 2) f = matmul(node);
    else if (in.size() == 2) f = binary(node);
    else if (in.size() == 1) f = unary(node);
    if (!f.empty()) return f;
    // An op this file does not know (slice, concat, a custom op): its name and the shapes.
    std::string args, shapes;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (i) {  // piece by piece: GCC 12 flags `(i ? ", " : "") + x` with a false -Wstringop-overflow
            args += ", ";
            shapes += ", ";
        }
        args += char('a' + std::min<std::size_t>(i, 25));
        shapes += s(in[i]);
    }
    return "C = " + node.op() + "(" + args + ") : " + shapes + " → " + s(node);
}

std::string layer_formula(const Tensor& node) {
    if (!node.defined() || node.is_leaf() || node.op() != "add") return "";
    const auto in = node.inputs();
    if (in.size() != 2 || in[0].is_leaf() || in[0].op() != "matmul" || !in[1].is_leaf()) return "";
    if (detail::attr(in[0], "transpose").find('T') != std::string::npos) return "";
    const auto mm = in[0].inputs();
    return "z = x·W + b : " + s(mm[0]) + "·" + s(mm[1]) + " + " + s(in[1]) + " → " + s(node);
}

ForwardStepper::ForwardStepper(Tensor root) : root_(std::move(root)) {
    if (!root_.defined()) throw GraphError("ForwardStepper: undefined tensor");
    if (root_.is_leaf()) {
        throw GraphError("ForwardStepper: " + describe(root_) + " is a leaf (" + root_.op() +
                         "): no op computed it, so there is no forward pass to step");
    }
    // Explicit stack (graphs can be long chains); ids grow in creation order, so sorting by id
    // gives the order the ops ran in, a topological order.
    std::set<std::uint64_t> seen{root_.id()};
    std::vector<Tensor> stack{root_};
    while (!stack.empty()) {
        Tensor t = stack.back();
        stack.pop_back();
        if (t.is_leaf()) continue;
        order_.push_back(t);
        for (const Tensor& in : t.inputs())
            if (seen.insert(in.id()).second) stack.push_back(in);
    }
    std::sort(order_.begin(), order_.end(), [](const Tensor& a, const Tensor& b) { return a.id() < b.id(); });
}

ForwardRecord ForwardStepper::record(std::size_t index) const {
    if (index >= order_.size()) {
        throw GraphError("ForwardStepper: step " + std::to_string(index + 1) + " is past the end (the pass has " +
                         std::to_string(order_.size()) + " steps)");
    }
    const Tensor& t = order_[index];
    ForwardRecord r;
    r.index = index;
    r.total = order_.size();
    r.node = info(t);
    r.formula = forward_formula(t);
    r.layer_formula = layer_formula(t);
    for (const Tensor& in : t.inputs()) r.inputs.push_back({info(in), in.value()});
    r.value = t.value();
    return r;
}

ForwardRecord ForwardStepper::next() {
    if (done()) {
        throw GraphError("ForwardStepper::next: all " + std::to_string(size()) + " steps of the pass to " +
                         describe(root_) + " have run");
    }
    return record(position_++);
}

ForwardRecord ForwardStepper::previous() {
    if (position_ < 2) {
        throw GraphError("ForwardStepper::previous: at step " + std::to_string(position_) +
                         ", there is no earlier step to show; use reset() to go back to the start");
    }
    --position_;
    return record(position_ - 1);
}

void ForwardStepper::seek(std::size_t steps) {
    if (steps > size()) {
        throw GraphError("ForwardStepper::seek: step " + std::to_string(steps) + " is past the end (the pass has " +
                         std::to_string(size()) + " steps)");
    }
    position_ = steps;
}

std::vector<ForwardRecord> ForwardStepper::run_to_end() {
    std::vector<ForwardRecord> out;
    while (!done()) out.push_back(next());
    return out;
}

}  // namespace xgrad::study
