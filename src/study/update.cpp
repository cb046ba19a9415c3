// UpdateStepper: an optimizer's update rule, line by line, evaluated elementwise in float with
// the same expressions as src/optim (so the numbers are the ones training produces).
#include "xgrad/study/update.hpp"

#include <array>
#include <cmath>
#include <functional>
#include <sstream>

#include "xgrad/format.hpp"
#include "xgrad/optim/optimizers.hpp"
#include "xgrad/study/forward.hpp"

namespace xgrad::study {

namespace {

// One element as the rule lines see it: gradient, weight, and up to three state slots.
struct Element {
    float g = 0, w = 0;
    std::array<float, 3> s{};
};

std::string num(double v) {
    std::ostringstream o;
    o.precision(4);
    o << v;
    return o.str();
}

// A number as a factor: negative ones in parentheses.
std::string fac(double v) { return v < 0 ? "(" + num(v) + ")" : num(v); }

}  // namespace

struct UpdateStepper::Line {
    std::string quantity;   // "w" or the slot's symbol ("v", "m", "u", "mg")
    int slot = -1;          // index into Element::s, -1 for w
    std::string state_key;  // the optimizer's slot name ("rms"), "" for w
    std::string text;       // the line with its constants
    std::function<float(const Element&)> eval;          // the quantity's new value
    std::function<std::string(const Element&)> numbers;  // the right-hand side with the numbers
};

namespace {

using Line = UpdateStepper::Line;

float& at(Element& e, int slot) { return slot < 0 ? e.w : e.s[std::size_t(slot)]; }

std::vector<Line> rmsprop_lines(const optim::RMSpropOptions& o) {
    const float lr = o.learning_rate, rho = o.rho, eps = o.epsilon, one_minus_rho = 1.f - rho, mu = o.momentum;
    std::vector<Line> lines;
    lines.push_back({"v", 0, "rms", "v ← ρ·v + (1−ρ)·g², ρ = " + num(rho),
                     [=](const Element& e) { return rho * e.s[0] + one_minus_rho * e.g * e.g; },
                     [=](const Element& e) { return num(rho) + "·" + num(e.s[0]) + " + " + num(one_minus_rho) + "·" + fac(e.g) + "²"; }});
    int next = 1;
    const int mg = o.centered ? next++ : -1;
    const int mom = mu > 0.f ? next++ : -1;
    if (o.centered) {
        lines.push_back({"mg", mg, "mg", "mg ← ρ·mg + (1−ρ)·g, ρ = " + num(rho),
                         [=](const Element& e) { return rho * e.s[std::size_t(mg)] + one_minus_rho * e.g; },
                         [=](const Element& e) { return num(rho) + "·" + fac(e.s[std::size_t(mg)]) + " + " + num(one_minus_rho) + "·" + fac(e.g); }});
    }
    // The denominator: √v + ε (Keras 2), √(v + ε) (Keras 3); v − mg² when centered.
    auto d = [=](const Element& e) { return o.centered ? e.s[0] - e.s[std::size_t(mg)] * e.s[std::size_t(mg)] : e.s[0]; };
    auto step = [=](const Element& e) {
        return o.eps_inside_sqrt ? lr * e.g / std::sqrt(d(e) + eps) : lr * e.g / (std::sqrt(d(e)) + eps);
    };
    const std::string dtext = o.centered ? "(v − mg²)" : "v";
    const std::string den = o.eps_inside_sqrt ? "√(" + dtext + " + ε)" : "(√" + dtext + " + ε)";
    auto den_numbers = [=](const Element& e) {
        const std::string dv = o.centered ? "(" + num(e.s[0]) + " − " + fac(e.s[std::size_t(mg)]) + "²)" : num(e.s[0]);
        return o.eps_inside_sqrt ? "√(" + dv + " + " + num(eps) + ")" : "(√" + dv + " + " + num(eps) + ")";
    };
    const std::string consts = ", lr = " + num(lr) + ", ε = " + num(eps);
    if (mu > 0.f) {
        lines.push_back({"m", mom, "momentum", "m ← μ·m + lr·g/" + den + ", μ = " + num(mu) + consts,
                         [=](const Element& e) { return mu * e.s[std::size_t(mom)] + step(e); },
                         [=](const Element& e) { return num(mu) + "·" + fac(e.s[std::size_t(mom)]) + " + " + num(lr) + "·" + fac(e.g) + "/" + den_numbers(e); }});
        lines.push_back({"w", -1, "", "w ← w − m", [=](const Element& e) { return e.w - e.s[std::size_t(mom)]; },
                         [=](const Element& e) { return num(e.w) + " − " + fac(e.s[std::size_t(mom)]); }});
    } else {
        lines.push_back({"w", -1, "", "w ← w − lr·g/" + den + consts, [=](const Element& e) { return e.w - step(e); },
                         [=](const Element& e) { return num(e.w) + " − " + num(lr) + "·" + fac(e.g) + "/" + den_numbers(e); }});
    }
    return lines;
}

std::vector<Line> sgd_lines(const optim::SGDOptions& o) {
    const float lr = o.learning_rate, mu = o.momentum;
    std::vector<Line> lines;
    if (mu == 0.f) {
        lines.push_back({"w", -1, "", "w ← w − lr·g, lr = " + num(lr), [=](const Element& e) { return e.w - lr * e.g; },
                         [=](const Element& e) { return num(e.w) + " − " + num(lr) + "·" + fac(e.g); }});
        return lines;
    }
    lines.push_back({"u", 0, "momentum", "u ← μ·u − lr·g, μ = " + num(mu) + ", lr = " + num(lr),
                     [=](const Element& e) { return mu * e.s[0] - lr * e.g; },
                     [=](const Element& e) { return num(mu) + "·" + fac(e.s[0]) + " − " + num(lr) + "·" + fac(e.g); }});
    if (o.nesterov) {
        lines.push_back({"w", -1, "", "w ← w + μ·u − lr·g", [=](const Element& e) { return e.w + (mu * e.s[0] - lr * e.g); },
                         [=](const Element& e) { return num(e.w) + " + " + num(mu) + "·" + fac(e.s[0]) + " − " + num(lr) + "·" + fac(e.g); }});
    } else {
        lines.push_back({"w", -1, "", "w ← w + u", [=](const Element& e) { return e.w + e.s[0]; },
                         [=](const Element& e) { return num(e.w) + " + " + fac(e.s[0]); }});
    }
    return lines;
}

std::vector<Line> adam_lines(const optim::AdamOptions& o, std::int64_t iterations) {
    const float b1 = o.beta_1, b2 = o.beta_2, eps = o.epsilon;
    const double t = double(iterations + 1);  // the step about to run
    const float lr_t = float(o.learning_rate * std::sqrt(1.0 - std::pow(double(b2), t)) / (1.0 - std::pow(double(b1), t)));
    std::vector<Line> lines;
    lines.push_back({"m", 0, "m", "m ← β₁·m + (1−β₁)·g, β₁ = " + num(b1),
                     [=](const Element& e) { return b1 * e.s[0] + (1.f - b1) * e.g; },
                     [=](const Element& e) { return num(b1) + "·" + fac(e.s[0]) + " + " + num(1.f - b1) + "·" + fac(e.g); }});
    lines.push_back({"v", 1, "v", "v ← β₂·v + (1−β₂)·g², β₂ = " + num(b2),
                     [=](const Element& e) { return b2 * e.s[1] + (1.f - b2) * e.g * e.g; },
                     [=](const Element& e) { return num(b2) + "·" + num(e.s[1]) + " + " + num(1.f - b2) + "·" + fac(e.g) + "²"; }});
    lines.push_back({"w", -1, "",
                     "w ← w − lr_t·m/(√v + ε), lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) = " + num(lr_t) + " at t = " + num(t) + ", ε = " + num(eps),
                     [=](const Element& e) { return e.w - lr_t * e.s[0] / (std::sqrt(e.s[1]) + eps); },
                     [=](const Element& e) { return num(e.w) + " − " + num(lr_t) + "·" + fac(e.s[0]) + "/(√" + num(e.s[1]) + " + " + num(eps) + ")"; }});
    return lines;
}

std::vector<Line> lines_of(const optim::Optimizer& opt) {
    if (auto* r = dynamic_cast<const optim::RMSprop*>(&opt)) return rmsprop_lines(r->options());
    if (auto* s = dynamic_cast<const optim::SGD*>(&opt)) return sgd_lines(s->options());
    if (auto* a = dynamic_cast<const optim::Adam*>(&opt)) return adam_lines(a->options(), opt.iterations());
    throw ValueError("UpdateStepper: no step description for optimizer '" + opt.name() +
                     "' (described: rmsprop, sgd, adam)");
}

std::string index_str(const std::vector<std::size_t>& index) {
    std::string s;
    for (std::size_t i = 0; i < index.size(); ++i) s += (i ? ", " : "") + std::to_string(index[i]);
    return s;
}

}  // namespace

std::vector<std::string> update_rule(const optim::Optimizer& optimizer) {
    std::vector<std::string> out;
    for (const Line& l : lines_of(optimizer)) out.push_back(l.text);
    return out;
}

UpdateStepper::~UpdateStepper() = default;
UpdateStepper::UpdateStepper(UpdateStepper&&) noexcept = default;
UpdateStepper& UpdateStepper::operator=(UpdateStepper&&) noexcept = default;

UpdateStepper::UpdateStepper(const optim::Optimizer& optimizer, const std::map<std::uint64_t, Array>& gradients)
    : optimizer_name_(optimizer.name()), lines_(lines_of(optimizer)) {
    if (optimizer.parameters().empty()) {
        throw ValueError("UpdateStepper: optimizer '" + optimizer.name() +
                         "' has no parameters attached (compile and build the model, or call attach())");
    }
    const optim::State state = optimizer.state();
    for (const auto& [name, param] : optimizer.parameters()) {
        auto it = gradients.find(param.id());
        Array g;
        if (it != gradients.end()) g = it->second;
        else if (param.grad().defined()) g = param.grad().value();
        else continue;  // unused in this step's graph: the optimizer skips it too
        if (g.shape() != param.shape()) {
            throw ShapeError("UpdateStepper: gradient " + shape_str(g.shape()) + " of '" + name +
                             "' does not match its shape " + shape_str(param.shape()));
        }
        // Every quantity of this parameter, elementwise: the lines run in order over whole arrays.
        const std::size_t n = param.size();
        std::vector<Element> el(n);
        const Array& w = param.value();
        std::array<const Array*, 3> slot_state{};
        for (const Line& l : lines_) {
            if (l.slot < 0) continue;
            auto s = state.find(name + "/" + l.state_key);
            if (s != state.end() && s->second.shape() == param.shape()) slot_state[std::size_t(l.slot)] = &s->second;
        }
        for (std::size_t i = 0; i < n; ++i) {
            el[i].g = g.data()[i];
            el[i].w = w.data()[i];
            for (std::size_t k = 0; k < 3; ++k) el[i].s[k] = slot_state[k] ? slot_state[k]->data()[i] : 0.f;
        }
        std::vector<std::size_t> mine;
        for (const Line& l : lines_) {
            UpdateRecord r;
            r.param = name;
            r.node = {param.id(), param.op(), param.label(), param.scope(), param.shape_vector()};
            r.quantity = l.quantity;
            r.formula = l.text + " : " + shape_str(param.shape());
            r.grad = g;
            r.before = Array(param.shape());
            r.after = Array(param.shape());
            for (std::size_t i = 0; i < n; ++i) {
                r.before.data()[i] = at(el[i], l.slot);
                const float v = l.eval(el[i]);
                at(el[i], l.slot) = v;
                r.after.data()[i] = v;
            }
            mine.push_back(records_.size());
            records_.push_back(std::move(r));
        }
        per_param_.emplace_back(name, std::move(mine));
    }
    for (std::size_t i = 0; i < records_.size(); ++i) {
        records_[i].index = i;
        records_[i].total = records_.size();
    }
    use_recorded_step(optimizer, gradients);
}

void UpdateStepper::use_recorded_step(const optim::Optimizer& optimizer, const std::map<std::uint64_t, Array>& gradients) {
    // The optimizer's own recorded step (Optimizer::record_step) on a copy: a clone with the
    // same state, attached to copies of the parameters holding the step's gradients, so nothing
    // of the caller's changes. Its graph gives each line's ops and its values the "after".
    std::shared_ptr<optim::Optimizer> twin = optimizer.clone();
    std::vector<std::pair<std::string, Tensor>> copies;
    for (const auto& [name, param] : optimizer.parameters()) {
        Tensor c = parameter(param.value(), param.label());
        auto it = gradients.find(param.id());
        if (it != gradients.end()) c.set_grad(constant(it->second));
        else if (param.grad().defined()) c.set_grad(constant(param.grad().value()));
        copies.emplace_back(name, c);
    }
    twin->attach(copies);
    const std::vector<optim::RecordedUpdate> recorded = twin->record_step();
    for (const optim::RecordedUpdate& r : recorded) {
        const std::vector<std::size_t>* mine = nullptr;
        for (const auto& [name, idx] : per_param_)
            if (name == r.name) mine = &idx;
        if (!mine) continue;
        // Walk the recorded ops in the order they ran; a node labelled "<name>/<q> ← ..." ends
        // the line that writes q, the ops before it (since the previous line) belong to it.
        std::size_t line = 0;
        for (const ForwardRecord& f : ForwardStepper(r.updated).run_to_end()) {
            if (line >= mine->size()) break;
            UpdateRecord& rec = records_[(*mine)[line]];
            const std::string prefix = r.name + "/";
            const std::string label = f.node.label.rfind(prefix, 0) == 0 ? f.node.label.substr(prefix.size()) : f.node.label;
            rec.ops.push_back(label + "   " + f.formula);
            if (label.rfind(rec.quantity + " ←", 0) == 0) {
                rec.after = f.value;  // the optimizer's own numbers
                ++line;
            }
        }
    }
}

UpdateRecord UpdateStepper::next() {
    if (done()) throw GraphError("UpdateStepper::next: all " + std::to_string(size()) + " steps of the update have run");
    return records_[position_++];
}

UpdateRecord UpdateStepper::previous() {
    if (position_ < 2) {
        throw GraphError("UpdateStepper::previous: at step " + std::to_string(position_) +
                         ", there is no earlier step to show; use reset() to go back to the start");
    }
    --position_;
    return records_[position_ - 1];
}

void UpdateStepper::seek(std::size_t steps) {
    if (steps > size()) {
        throw GraphError("UpdateStepper::seek: step " + std::to_string(steps) + " is past the end (the update has " +
                         std::to_string(size()) + " steps)");
    }
    position_ = steps;
}

std::vector<UpdateRecord> UpdateStepper::run_to_end() {
    std::vector<UpdateRecord> out;
    while (!done()) out.push_back(next());
    return out;
}

std::vector<std::string> UpdateStepper::parameters() const {
    std::vector<std::string> out;
    for (const auto& [name, idx] : per_param_) out.push_back(name);
    return out;
}

namespace {
template <class P>
const std::vector<std::size_t>& find_param(const P& per_param, const std::string& name, const char* who) {
    for (const auto& [n, idx] : per_param)
        if (n == name) return idx;
    std::string names;
    for (const auto& [n, idx] : per_param) names += (names.empty() ? "" : ", ") + n;
    throw ValueError(std::string("UpdateStepper::") + who + ": no parameter '" + name + "' in the update; it covers: " + names);
}
}  // namespace

const Array& UpdateStepper::updated(const std::string& param) const {
    const auto& idx = find_param(per_param_, param, "updated");
    for (auto it = idx.rbegin(); it != idx.rend(); ++it)
        if (records_[*it].quantity == "w") return records_[*it].after;
    throw ValueError("UpdateStepper::updated: the rule never writes w");  // every rule ends with a w line
}

std::string UpdateStepper::worked_example(const std::string& param, const std::vector<std::size_t>& index) const {
    const auto& idx = find_param(per_param_, param, "worked_example");
    const UpdateRecord& first = records_[idx.front()];
    const Shape& shape = first.node.shape;
    bool ok = index.size() == shape.size();
    for (std::size_t i = 0; ok && i < index.size(); ++i) ok = index[i] < shape[i];
    if (!ok) {
        throw ShapeError("UpdateStepper::worked_example: index (" + index_str(index) + ") is not an element of '" +
                         param + "' " + shape_str(shape));
    }
    std::size_t flat = 0;
    for (std::size_t i = 0; i < index.size(); ++i) flat = flat * shape[i] + index[i];
    // The element before the step: each quantity is written by one line, so its value before
    // the step is that line's "before".
    Element e;
    e.g = first.grad.data()[flat];
    for (std::size_t k = 0; k < idx.size(); ++k) at(e, lines_[k].slot) = records_[idx[k]].before.data()[flat];
    std::ostringstream o;
    o << optimizer_name_ << " step for '" << param << "'[" << index_str(index) << "]: g = dL/dw = " << num(e.g)
      << ", w = " << num(e.w) << '\n';
    for (std::size_t k = 0; k < idx.size(); ++k) {
        const Line& l = lines_[k];
        const std::string rhs = l.numbers(e);
        const float v = l.eval(e);
        at(e, l.slot) = v;
        const std::string rule = l.text.substr(0, l.text.find(", "));  // the line without its constants
        o << "  " << rule << " = " << rhs << " = " << num(v) << '\n';
    }
    return o.str();
}

}  // namespace xgrad::study
