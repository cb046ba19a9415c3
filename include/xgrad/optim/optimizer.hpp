#pragma once
/// @file optimizer.hpp
/// Optimizer base: attached (name, parameter) pairs, in-place updates under NoGradGuard, and
/// per-parameter state kept by parameter NAME (never by address), so it can be saved and
/// restored into a freshly built model.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::optim {

/// Saved optimizer state: "<param name>/<slot>" -> values, and "iterations" -> a (2) array
/// holding [iterations mod 2^24, iterations / 2^24] (exact in float32).
using State = std::map<std::string, Array>;

/// Base of every optimizer. `step()` updates each attached parameter that has a gradient,
/// writing into Tensor::data() under NoGradGuard.
class Optimizer {
public:
    virtual ~Optimizer() = default;

    /// The Keras name ("rmsprop", "sgd", "adam").
    virtual std::string name() const = 0;
    /// A copy (options and state) as a new object: lets compile() take optimizers by value.
    virtual std::shared_ptr<Optimizer> clone() const = 0;

    /// Sets the parameters to update. State of parameters whose names remain is kept; state
    /// of names no longer attached is dropped.
    void attach(std::vector<std::pair<std::string, Tensor>> named_parameters);
    /// The attached parameters.
    const std::vector<std::pair<std::string, Tensor>>& parameters() const { return params_; }
    /// One update of every attached parameter with a gradient; counts an iteration.
    void step();
    /// Clears the gradients of the attached parameters.
    void zero_grad();
    /// Number of step() calls so far (or as restored by load_state).
    std::int64_t iterations() const { return iterations_; }

    /// A copy of the state (slots of every parameter and the iteration count).
    State state() const;
    /// Throws ValueError when `state` does not fit the attached parameters (unknown name or
    /// slot, wrong shape, missing or malformed iterations); changes nothing.
    void check_state(const State& state) const;
    /// Replaces the state after check_state(state) passed; nothing changes on error.
    void load_state(const State& state);

protected:
    /// The state arrays a parameter needs, in the order update() receives them ("rms", ...).
    virtual std::vector<std::string> slot_names() const = 0;
    /// Updates `w` in place from gradient `g` using this parameter's `slots` (zero-initialised
    /// on first use, one per slot_names()). iterations() already counts this step.
    virtual void update(Array& w, const Array& g, std::vector<Array>& slots) = 0;

private:
    std::vector<std::pair<std::string, Tensor>> params_;
    std::map<std::string, std::vector<Array>> slots_;  // parameter name -> slot arrays
    std::int64_t iterations_ = 0;
};

/// A fresh optimizer by Keras name with default options: "rmsprop", "sgd", "adam";
/// ValueError listing the valid names otherwise.
std::shared_ptr<Optimizer> get(const std::string& name);
/// The valid optimizer names, comma separated.
std::string optimizer_names();

}  // namespace xgrad::optim
