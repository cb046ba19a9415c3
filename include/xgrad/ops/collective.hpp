#pragma once
/// @file collective.hpp
/// Collective ops: values combined over the processes of a job that run the same program
/// (data-parallel training). The core knows only the ProcessGroup interface: xgrad::dist
/// implements it over MPI, and train::fit installs the distribution's group for its training
/// steps. Without a group (one process, the default) every collective op is the identity.

#include <memory>
#include <span>
#include <string>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// The processes a collective op combines values over. Like MPI's collectives, every process
/// must make the same collective calls in the same order with the same shapes.
class ProcessGroup {
public:
    virtual ~ProcessGroup() = default;
    /// Number of processes (1: this process alone).
    virtual int size() const = 0;
    /// Replaces `values` (the elements of a tensor of shape `shape`) by their element-wise sum
    /// over the processes, in place, on every process. When the processes pass different
    /// shapes, throws the same ShapeError on every process, naming `who` and each shape.
    virtual void all_sum(std::span<float> values, const Shape& shape, const std::string& who) = 0;
};

/// RAII: while it lives, collective ops combine over `group` (nullptr: this process alone).
/// With `contributes` false this process still takes part in every collective but adds zeros
/// (forward and backward), and its all_sum passes no gradient to its input: it stands in for
/// an empty share of a global batch. train::fit runs such a process's step on a stand-in sample
/// whose loss weight is 0, so the collectives of the other processes find it there. Scopes nest;
/// the state is process-wide.
class ProcessGroupScope {
public:
    explicit ProcessGroupScope(std::shared_ptr<ProcessGroup> group, bool contributes = true);
    ~ProcessGroupScope();
    ProcessGroupScope(const ProcessGroupScope&) = delete;
    ProcessGroupScope& operator=(const ProcessGroupScope&) = delete;

private:
    std::shared_ptr<ProcessGroup> previous_;
    bool previous_contributes_;
};

/// The group collective ops combine over now (nullptr: this process alone).
std::shared_ptr<ProcessGroup> current_process_group();
/// False inside a ProcessGroupScope whose `contributes` is false (a stand-in step).
bool contributes_to_collectives();

/// s = Σ_p x_p: the element-wise sum of `x` over the processes of the current group, the same
/// value on every process (x itself without a group or in a group of one; zeros added by a
/// stand-in, see ProcessGroupScope). Collective: every process must call it, in the same order,
/// with the same shape (a ShapeError on every process names each process's shape otherwise).
/// dx_q = Σ_p dL_p/ds = all_sum(dY): the processes' upstream gradients, summed. That is the
/// gradient of the job's loss L = Σ_p L_p, L_p being what process p's backward is seeded from;
/// for a weighted mean L = Σ_p w_p L_p (data-parallel shares of unequal size, w_p = n_p / N),
/// seed process p's backward with w_p and sum the parameters' gradients over the processes
/// without further weights (dist::DataParallel does; the derivation is in src/ops/collective.cpp).
Tensor all_sum(const Tensor& x);

}  // namespace xgrad
