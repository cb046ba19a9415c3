// Optimizer bookkeeping: attached parameters, name-keyed slots, state save/restore.
#include "xgrad/optim/optimizer.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "xgrad/format.hpp"
#include "xgrad/optim/optimizers.hpp"

namespace xgrad::optim {

void Optimizer::attach(std::vector<std::pair<std::string, Tensor>> named_parameters) {
    std::set<std::string> names;
    for (auto& [n, t] : named_parameters) {
        if (!t.defined()) throw ValueError(name() + ": parameter '" + n + "' is undefined");
        if (!names.insert(n).second) throw ValueError(name() + ": parameter name '" + n + "' is attached twice");
    }
    for (auto it = slots_.begin(); it != slots_.end();) {
        it = names.count(it->first) ? std::next(it) : slots_.erase(it);
    }
    params_ = std::move(named_parameters);
}

void Optimizer::set_learning_rate(float lr) {
    if (!(std::isfinite(lr) && lr > 0.f)) {
        char value[32];
        std::snprintf(value, sizeof value, "%.9g", double(lr));
        throw ValueError(name() + ": set_learning_rate(" + value + "): the learning rate must be finite and positive");
    }
    assign_learning_rate(lr);
}

void Optimizer::zero_grad() {
    for (auto& [n, t] : params_) t.zero_grad();
}

Optimizer::Optimizer(const Optimizer& other) { *this = other; }

Optimizer& Optimizer::operator=(const Optimizer& other) {
    if (this == &other) return *this;
    params_ = other.params_;
    iterations_ = other.iterations_;
    slots_.clear();
    for (const auto& [n, slots] : other.slots_) {
        auto& mine = slots_[n];
        for (const Tensor& s : slots) mine.push_back(s.detach());
    }
    return *this;
}

template <class F>
void Optimizer::for_each_update(F fn) {
    const std::size_t n_slots = slot_names().size();
    for (auto& [n, t] : params_) {
        Tensor g = t.grad();
        if (!g.defined()) continue;  // unused in this step's graph
        if (g.shape() != t.shape()) {
            throw GraphError(name() + ": gradient " + shape_str(g.shape()) + " of '" + n + "' does not match its shape " +
                             shape_str(t.shape()));
        }
        auto& slots = slots_[n];
        if (slots.size() != n_slots) {
            slots.clear();
            for (std::size_t i = 0; i < n_slots; ++i) slots.push_back(zeros_like(t));
        }
        fn(n, t, g, slots);
    }
}

void Optimizer::step() {
    NoGradGuard no_grad;
    ++iterations_;
    for_each_update([this](const std::string&, Tensor& t, const Tensor& g, std::vector<Tensor>& slots) {
        // A copy of the handle: update() may rebind its argument, never the model's handle.
        Tensor w = t;
        update(w, g, slots);
    });
}

std::vector<RecordedUpdate> Optimizer::record_step() {
    if (!grad_enabled()) {
        throw GraphError(name() + ": record_step needs gradient recording on (it was called under NoGradGuard)");
    }
    std::vector<RecordedUpdate> out;
    const auto names = slot_names();
    ++iterations_;
    for_each_update([&](const std::string& n, Tensor& t, const Tensor& g, std::vector<Tensor>& slots) {
        RecordedUpdate r;
        r.name = n;
        r.slot_names = names;
        r.weight = parameter(t.value(), n);
        r.grad = parameter(g.value(), n + "/grad");
        for (std::size_t i = 0; i < slots.size(); ++i) r.slots_before.push_back(parameter(slots[i].value(), n + "/" + names[i]));
        r.updated = r.weight;
        r.slots_after = r.slots_before;
        {
            RecordInPlaceGuard record;
            NameScope scope(n);
            update(r.updated, r.grad, r.slots_after);
        }
        // The recorded ops round exactly like the in-place ones: copying their results is the step.
        NoGradGuard no_grad;
        t.copy_(r.updated);
        for (std::size_t i = 0; i < slots.size(); ++i) slots[i].copy_(r.slots_after[i]);
        out.push_back(std::move(r));
    });
    return out;
}

void Optimizer::label_step(Tensor& t, const char* formula) {
    if (!grad_enabled() || !RecordInPlaceGuard::enabled()) return;
    const std::string& scope = NameScope::current();
    t.set_label(scope.empty() ? formula : scope + "/" + formula);
}

State Optimizer::state() const {
    State s;
    s["iterations"] = Array{float(iterations_ % (1 << 24)), float(iterations_ / (1 << 24))};
    const auto names = slot_names();
    for (auto& [param, slots] : slots_) {
        for (std::size_t i = 0; i < slots.size(); ++i) s[param + "/" + names[i]] = slots[i].value();
    }
    return s;
}

void Optimizer::check_state(const State& state) const {
    auto it = state.find("iterations");
    if (it == state.end() || it->second.size() != 2 || it->second(0) < 0 || it->second(1) < 0) {
        throw ValueError(name() + ": state has no valid 'iterations' entry");
    }
    const auto names = slot_names();
    for (auto& [key, value] : state) {
        if (key == "iterations") continue;
        const auto slash = key.rfind('/');
        const std::string param = slash == std::string::npos ? key : key.substr(0, slash);
        const std::string slot = slash == std::string::npos ? "" : key.substr(slash + 1);
        const Tensor* p = nullptr;
        for (auto& [n, t] : params_) {
            if (n == param) p = &t;
        }
        if (!p) throw ValueError(name() + ": state entry '" + key + "' names no attached parameter");
        if (std::find(names.begin(), names.end(), slot) == names.end()) {
            throw ValueError(name() + ": state entry '" + key + "' is not a slot of " + name());
        }
        if (value.shape() != p->shape()) {
            throw ValueError(name() + ": state entry '" + key + "' has shape " + shape_str(value.shape()) +
                             " but the parameter is " + shape_str(p->shape()));
        }
    }
}

void Optimizer::load_state(const State& state) {
    check_state(state);
    const auto names = slot_names();
    std::map<std::string, std::vector<Tensor>> slots;
    for (auto& [n, t] : params_) {
        std::vector<Tensor> s;
        bool any = false;
        for (auto& slot : names) {
            auto it = state.find(n + "/" + slot);
            any = any || it != state.end();
            s.push_back(it != state.end() ? constant(it->second) : zeros_like(t));
        }
        if (any) slots[n] = std::move(s);
    }
    const Array& it = state.at("iterations");
    iterations_ = std::int64_t(it(0)) + (std::int64_t(it(1)) << 24);
    slots_ = std::move(slots);
}

std::string optimizer_names() { return "rmsprop, sgd, adam"; }

std::shared_ptr<Optimizer> get(const std::string& name) {
    if (name == "rmsprop") return std::make_shared<RMSprop>();
    if (name == "sgd") return std::make_shared<SGD>();
    if (name == "adam") return std::make_shared<Adam>();
    throw ValueError("optimizer: unknown optimizer '" + name + "'; valid names: " + optimizer_names());
}

}  // namespace xgrad::optim
