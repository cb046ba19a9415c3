// all_sum and the process-wide group it combines over (see xgrad/ops/collective.hpp).
//
// Why all_sum's backward is the all_sum of the upstream gradients, and how data-parallel
// training must weight it. Process p holds the parameters θ (the same everywhere) and its share
// of the global batch, n_p of N samples. Its forward computes a_p(θ) and, through s = Σ_q a_q,
// its loss L_p(θ, s), the mean over its share. The loss of the global batch is
//     L = Σ_p w_p L_p,  w_p = n_p / N,
// whose gradient is, since ∂s/∂a_q = I,
//     dL/dθ = Σ_p w_p ∂L_p/∂θ  +  Σ_q (∂a_q/∂θ)ᵀ Σ_p w_p ∂L_p/∂s.
//             (paths inside p)     (paths through s; the Jacobian of a_q lives on process q)
// Process q seeds its backward with w_q. What reaches s on process p is then w_p ∂L_p/∂s, and
// all_sum's backward hands a_q the sum of those over the processes, so q's gradient is
//     G_q = w_q ∂L_q/∂θ + (∂a_q/∂θ)ᵀ Σ_p w_p ∂L_p/∂s,
// and Σ_q G_q = dL/dθ: the plain, unweighted sum of the processes' gradients. Seeding with 1 and
// weighting each process's whole gradient by w_q afterwards (enough without collectives) gives
// the cross term w_q Σ_p ∂L_p/∂s instead, which is right only when all shares are equal.
// Weighting inside the backward (dividing what a_q receives by w_q) fails for an empty share.
// A stand-in process (empty share, w_q = 0) adds zeros both ways and gives a_q no gradient: a_q
// is not part of s, so its terms leave both sums, whatever its stand-in sample computed.
#include "xgrad/ops/collective.hpp"

#include <mutex>

#include "xgrad/format.hpp"
#include "xgrad/graph.hpp"

namespace xgrad {

namespace {

struct State {
    std::shared_ptr<ProcessGroup> group;
    bool contributes = true;
};

std::mutex g_mutex;

State& state() {
    static State s;
    return s;
}

// `group` and `contributes` are the ones of the forward pass: a backward run after the scope
// has ended still reaches the same processes.
Tensor all_sum_over(const std::shared_ptr<ProcessGroup>& group, bool contributes, const std::string& who, const Tensor& x) {
    if (!x.defined()) throw GraphError("all_sum: undefined tensor");
    if (!group || group->size() <= 1) {
        if (contributes) return x;
        return zeros_like(x);  // a stand-in alone: the sum of nobody's values
    }
    Array v = contributes ? x.value() : Array(x.shape(), 0.f);
    group->all_sum(std::span<float>(v.data(), v.size()), x.shape_vector(), who);
    return record({"all_sum", "dx = all_sum(dY): every process's upstream gradient, summed",
                   {{"processes", std::to_string(group->size())}}},
                  {x}, std::move(v), [group, contributes, who](const BackwardContext& c) -> std::vector<Tensor> {
                      // Every process takes part, also a stand-in and one whose input needs no
                      // gradient: the others wait for it.
                      Tensor s = all_sum_over(group, contributes, who + " (backward)", c.grad);
                      return {contributes && c.needs[0] ? s : Tensor()};
                  });
}

}  // namespace

ProcessGroupScope::ProcessGroupScope(std::shared_ptr<ProcessGroup> group, bool contributes) {
    std::lock_guard lock(g_mutex);
    previous_ = std::move(state().group);
    previous_contributes_ = state().contributes;
    state() = {std::move(group), contributes};
}

ProcessGroupScope::~ProcessGroupScope() {
    std::lock_guard lock(g_mutex);
    state() = {std::move(previous_), previous_contributes_};
}

std::shared_ptr<ProcessGroup> current_process_group() {
    std::lock_guard lock(g_mutex);
    return state().group;
}

bool contributes_to_collectives() {
    std::lock_guard lock(g_mutex);
    return state().contributes;
}

Tensor all_sum(const Tensor& x) {
    std::shared_ptr<ProcessGroup> group;
    bool contributes = true;
    {
        std::lock_guard lock(g_mutex);
        group = state().group;
        contributes = state().contributes;
    }
    const std::string& scope = NameScope::current();
    return all_sum_over(group, contributes, scope.empty() ? std::string("all_sum") : "all_sum in '" + scope + "'", x);
}

}  // namespace xgrad
