#pragma once
/// @file optimizer.hpp
/// Optimizer base: attached (name, parameter) pairs, in-place updates under NoGradGuard, and
/// per-parameter state kept by parameter NAME (never by address), so it can be saved and
/// restored into a freshly built model.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "xgrad/tensor.hpp"

namespace xgrad::optim {

/// Saved optimizer state: "<param name>/<slot>" -> values, and "iterations" -> a (2) array
/// holding [iterations mod 2^24, iterations / 2^24] (exact in float32).
using State = std::map<std::string, Array>;

/// One parameter's update as Optimizer::record_step() records it: a graph from the leaves
/// (the values before the step) to the new values, drawable with viz::to_dot and steppable with
/// study::BackwardStepper like any graph.
struct RecordedUpdate {
    std::string name;                 ///< the parameter's name
    Tensor weight;                    ///< leaf: the parameter before the step (label: name)
    Tensor grad;                      ///< leaf: its gradient (label: name + "/grad")
    std::vector<Tensor> slots_before; ///< leaves: the state before the step (label: name/slot)
    Tensor updated;                   ///< recorded: the parameter after the step
    std::vector<Tensor> slots_after;  ///< recorded: the state after the step, one per slot
    std::vector<std::string> slot_names;  ///< the slots' names, in order ("rms", ...)
};

/// Base of every optimizer. `step()` updates each attached parameter that has a gradient in
/// place, with Tensor's in-place primitives under NoGradGuard.
class Optimizer {
public:
    virtual ~Optimizer() = default;

    /// The Keras name ("rmsprop", "sgd", "adam").
    virtual std::string name() const = 0;
    /// A copy (options and state) as a new object: lets compile() take optimizers by value.
    virtual std::shared_ptr<Optimizer> clone() const = 0;
    /// The options that rebuild this optimizer, as a JSON object (Keras' get_config):
    /// {"learning_rate": 0.001, "rho": 0.9, ...}. Model::save writes it with name(), and
    /// optim::from_config reads it back. The state is not part of it. Default: empty.
    virtual nlohmann::json config() const;

    /// Sets the parameters to update. State of parameters whose names remain is kept; state
    /// of names no longer attached is dropped.
    void attach(std::vector<std::pair<std::string, Tensor>> named_parameters);
    /// The attached parameters.
    const std::vector<std::pair<std::string, Tensor>>& parameters() const { return params_; }
    /// One update of every attached parameter with a gradient; counts an iteration.
    void step();
    /// The same step as step() (the same numbers land in the parameters and the state, and an
    /// iteration is counted), run a second time as a recorded graph per parameter: the update
    /// formulas (`v ← ρ·v + (1−ρ)·g²`, `w ← w − lr·g/(√v + ε)`) become nodes, labelled with
    /// the formula, in a NameScope named after the parameter. Needs gradient recording on
    /// (GraphError under NoGradGuard). Slower than step(): for study and diagrams.
    std::vector<RecordedUpdate> record_step();
    /// Clears the gradients of the attached parameters.
    void zero_grad();
    /// Number of step() calls so far (or as restored by load_state).
    std::int64_t iterations() const { return iterations_; }

    /// The learning rate lr the next step() uses: the options' learning_rate, as given to the
    /// constructor or last set by set_learning_rate().
    virtual float learning_rate() const = 0;
    /// Sets lr for the following steps (the options' learning_rate changes with it); callbacks
    /// such as train::LearningRateScheduler call it between epochs. Slots and iterations are
    /// kept: Adam's bias correction still counts every step. ValueError naming the optimizer
    /// and the value when `lr` is NaN, infinite, zero or negative.
    void set_learning_rate(float lr);

    /// A copy of the state (slots of every parameter and the iteration count).
    State state() const;
    /// Throws ValueError when `state` does not fit the attached parameters (unknown name or
    /// slot, wrong shape, missing or malformed iterations); changes nothing.
    void check_state(const State& state) const;
    /// Replaces the state after check_state(state) passed; nothing changes on error.
    void load_state(const State& state);

protected:
    Optimizer() = default;
    /// Copies options and state; the state tensors are copied too, never shared (clone()).
    Optimizer(const Optimizer& other);
    Optimizer& operator=(const Optimizer& other);

    /// Stores a learning rate set_learning_rate() has checked in the options.
    virtual void assign_learning_rate(float lr) = 0;
    /// The state tensors a parameter needs, in the order update() receives them ("rms", ...).
    virtual std::vector<std::string> slot_names() const = 0;
    /// Updates `w` from gradient `g` and this parameter's `slots` (zero-initialised on first
    /// use, one per slot_names()) with the in-place primitives; iterations() already counts
    /// this step. Runs under NoGradGuard for step() (the leaves change in place) and under
    /// RecordInPlaceGuard for record_step() (the handles move to recorded nodes).
    virtual void update(Tensor& w, const Tensor& g, std::vector<Tensor>& slots) = 0;
    /// Labels `t` with `formula` (prefixed by the current NameScope) when the update is being
    /// recorded, so diagrams read `dense_1/kernel/v ← ρ·v + (1−ρ)·g²`; does nothing otherwise.
    static void label_step(Tensor& t, const char* formula);
    /// label_step inside a map_/map2_ formula: labels and returns the tensor when the step is
    /// recorded (the formula then runs on tensors); returns SIMD batches unchanged.
    template <class T>
    static T labelled(T x, const char* formula) {
        if constexpr (std::is_same_v<T, Tensor>) label_step(x, formula);
        return x;
    }

private:
    // Calls fn(name, parameter, gradient, slots) for each attached parameter with a gradient,
    // after checking its shape and creating its slots.
    template <class F>
    void for_each_update(F fn);

    std::vector<std::pair<std::string, Tensor>> params_;
    std::map<std::string, std::vector<Tensor>> slots_;  // parameter name -> slot tensors (leaves)
    std::int64_t iterations_ = 0;
};

/// A fresh optimizer by Keras name with default options: "rmsprop", "sgd", "adam";
/// ValueError listing the valid names otherwise.
std::shared_ptr<Optimizer> get(const std::string& name);
/// The valid optimizer names, comma separated.
std::string optimizer_names();
/// A fresh optimizer by Keras name with the options `config` holds (Optimizer::config()'s
/// JSON; a missing option keeps its default). ValueError for an unknown name (listing the valid
/// ones), an option the optimizer does not have, or a value of the wrong type or range.
std::shared_ptr<Optimizer> from_config(const std::string& name, const nlohmann::json& config);

}  // namespace xgrad::optim
