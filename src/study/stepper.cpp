// BackwardStepper: the core engine, one step per next(), with values copied into records.
#include "xgrad/study/stepper.hpp"

#include "xgrad/format.hpp"
#include "xgrad/ops/elementwise.hpp"

namespace xgrad::study {

namespace {

NodeInfo info(const Tensor& t) {
    return {t.id(), t.op(), t.label(), t.scope(), t.shape_vector()};
}

bool same(const Array& a, const Array& b) { return a.shape() == b.shape() && a == b; }

}  // namespace

bool operator==(const NodeInfo& a, const NodeInfo& b) {
    return a.id == b.id && a.op == b.op && a.label == b.label && a.scope == b.scope && a.shape == b.shape;
}

bool operator==(const StepRecord& a, const StepRecord& b) {
    if (a.index != b.index || a.total != b.total || !(a.node == b.node) || a.rule != b.rule ||
        !same(a.upstream, b.upstream) || a.inputs.size() != b.inputs.size())
        return false;
    for (std::size_t i = 0; i < a.inputs.size(); ++i) {
        const InputGrad &x = a.inputs[i], &y = b.inputs[i];
        if (!(x.input == y.input) || x.needed != y.needed || x.formula != y.formula ||
            x.accumulated != y.accumulated || (x.needed && !same(x.grad, y.grad)))
            return false;
    }
    return true;
}

BackwardStepper::BackwardStepper(Tensor loss, StepperOptions options) : loss_(std::move(loss)) {
    if (!loss_.defined()) throw GraphError("BackwardStepper: undefined loss tensor");
    if (!loss_.requires_grad()) {
        throw GraphError("BackwardStepper: loss " + describe(loss_) +
                         " does not require grad: no parameter contributes to it (or it was computed under "
                         "NoGradGuard)");
    }
    if (options.seed.defined()) {
        if (options.seed.shape() != loss_.shape()) {
            throw ShapeError("BackwardStepper: seed " + describe(options.seed) + " does not match loss " +
                             describe(loss_));
        }
        seed_ = options.seed.detach();
    } else {
        if (loss_.size() != 1) {
            throw GraphError("BackwardStepper: loss " + describe(loss_) +
                             " is not a one-element tensor; pass StepperOptions::seed");
        }
        seed_ = ones_like(loss_);
    }
    restart();
    for (const Tensor& t : engine_->order()) {
        if (t.node()->released) {
            throw GraphError("BackwardStepper: the graph through '" + t.label() + "' (node " + std::to_string(t.id()) +
                             ") was freed by an earlier backward(); call backward(retain_graph=true) or step "
                             "before backward()");
        }
    }
}

BackwardStepper::~BackwardStepper() = default;

std::size_t BackwardStepper::size() const { return engine_->order().size(); }
std::size_t BackwardStepper::position() const { return engine_->position(); }
const std::vector<Tensor>& BackwardStepper::order() const { return engine_->order(); }

void BackwardStepper::restart() {
    // accumulate=false keeps leaves' grad() untouched; retain_graph lets us run again.
    engine_ = std::make_unique<BackwardEngine>(std::vector<Tensor>{loss_}, std::vector<Tensor>{seed_},
                                               EngineOptions{true, false, false});
    known_.clear();
    known_[loss_.id()] = {loss_, seed_};
    history_.clear();
}

StepRecord BackwardStepper::advance() {
    const std::size_t index = engine_->position();
    const Tensor t = engine_->order()[index];
    // The engine writes the gradient of a retain_grad() node even with accumulate=false; the
    // stepper promises not to touch user-visible grads, so put the old one back.
    struct Restore {
        Node& node;
        std::shared_ptr<Node> saved;
        ~Restore() { node.grad = saved; }
    } restore{*t.node(), t.node()->grad};

    BackwardStep s = engine_->step();
    StepRecord r;
    r.index = index;
    r.total = size();
    r.node = info(t);
    r.rule = t.rule();
    r.upstream = s.grad_output.value();
    const std::vector<Tensor> inputs = t.inputs();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        InputGrad g;
        g.input = info(inputs[i]);
        g.formula = concrete_rule(t, i);
        const bool has = i < s.input_grads.size() && s.input_grads[i].defined();
        g.needed = has;
        if (has) {
            g.grad = s.input_grads[i].value();
            g.accumulated = s.accumulated[i];
            known_[inputs[i].id()] = {inputs[i], engine_->gradient(inputs[i])};
        }
        r.inputs.push_back(std::move(g));
    }
    history_.push_back(r);
    return r;
}

StepRecord BackwardStepper::next() {
    if (done()) {
        throw GraphError("BackwardStepper::next: all " + std::to_string(size()) + " steps of the pass from " +
                         describe(loss_) + " have run");
    }
    return advance();
}

StepRecord BackwardStepper::previous() {
    if (position() < 2) {
        throw GraphError("BackwardStepper::previous: at step " + std::to_string(position()) +
                         ", there is no earlier step to show; use reset() to go back to the start");
    }
    seek(position() - 1);
    return history_.back();
}

void BackwardStepper::seek(std::size_t steps) {
    if (steps > size()) {
        throw GraphError("BackwardStepper::seek: step " + std::to_string(steps) + " is past the end (the pass has " +
                         std::to_string(size()) + " steps)");
    }
    // Steps only go forward, so going back means replaying from a fresh engine: every step is
    // a pure function of the graph, hence reproducible.
    if (steps < position()) restart();
    while (position() < steps) advance();
}

std::vector<StepRecord> BackwardStepper::run_to_end() {
    std::vector<StepRecord> out;
    while (!done()) out.push_back(advance());
    return out;
}

Tensor BackwardStepper::gradient(const Tensor& t) const {
    if (!t.defined()) throw GraphError("BackwardStepper::gradient: undefined tensor");
    auto it = known_.find(t.id());
    return it == known_.end() ? Tensor() : it->second.second;
}

std::map<std::uint64_t, Array> BackwardStepper::gradients() const {
    std::map<std::uint64_t, Array> out;
    for (const auto& [id, entry] : known_) out.emplace(id, entry.second.value());
    return out;
}

void BackwardStepper::accumulate_into_leaves() const {
    if (!done()) {
        throw GraphError("BackwardStepper::accumulate_into_leaves: only " + std::to_string(position()) + " of " +
                         std::to_string(size()) + " steps have run; gradients are incomplete");
    }
    NoGradGuard no_grad;
    for (const auto& [id, entry] : known_) {
        Tensor node = entry.first;
        if (!node.is_leaf() || !node.requires_grad()) continue;
        Tensor old = node.grad();
        node.set_grad(old.defined() ? add(old, entry.second) : entry.second);
    }
}

}  // namespace xgrad::study
