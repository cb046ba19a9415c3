#pragma once
/// @file init.hpp
/// Weight initializers (Keras names and formulas). Every one draws from xgrad::generator(),
/// so xgrad::manual_seed makes initialization reproducible.
///
/// Fans: for a 2-D kernel (in, out) fan_in = in, fan_out = out; for a 1-D shape both are its
/// length; for higher ranks the leading axes are the receptive field (Keras' rule).

#include <functional>
#include <map>
#include <string>

#include "xgrad/xt.hpp"

namespace xgrad::nn::init {

/// A named function from a shape to initial values. Converts from a Keras name, so layer
/// options accept both `"he_normal"` and `init::he_normal()`.
class Initializer {
public:
    /// The initializer called `name`; ValueError listing the valid names otherwise.
    Initializer(const char* name);  // NOLINT(google-explicit-constructor): string form
    /// The initializer called `name`; ValueError listing the valid names otherwise.
    Initializer(const std::string& name);  // NOLINT(google-explicit-constructor)
    /// A custom initializer. `arguments` are what a saved model records besides the name
    /// (random_uniform's minval and maxval); a custom initializer cannot be rebuilt from a file.
    Initializer(std::string name, std::function<Array(const Shape&)> fn, std::map<std::string, float> arguments = {});

    /// Fresh values of `shape`.
    Array operator()(const Shape& shape) const { return fn_(shape); }
    /// The name ("glorot_uniform").
    const std::string& name() const { return name_; }
    /// The arguments besides the name ({"minval": -0.05, "maxval": 0.05}; empty for most).
    const std::map<std::string, float>& arguments() const { return arguments_; }

private:
    std::string name_;
    std::function<Array(const Shape&)> fn_;
    std::map<std::string, float> arguments_;
};

/// U(-l, l), l = sqrt(6 / (fan_in + fan_out)).  Keras' default kernel initializer.
Initializer glorot_uniform();
/// Truncated N(0, s^2) (cut at 2s), s = sqrt(2 / (fan_in + fan_out)) / 0.87962566.
Initializer glorot_normal();
/// U(-l, l), l = sqrt(6 / fan_in).
Initializer he_uniform();
/// Truncated N(0, s^2) (cut at 2s), s = sqrt(2 / fan_in) / 0.87962566.
Initializer he_normal();
/// All zeros.  Keras' default bias initializer.
Initializer zeros();
/// All ones.
Initializer ones();
/// N(mean, stddev^2); Keras defaults mean 0, stddev 0.05.
Initializer random_normal(float mean = 0.f, float stddev = 0.05f);
/// U(minval, maxval); Keras defaults -0.05, 0.05.
Initializer random_uniform(float minval = -0.05f, float maxval = 0.05f);

/// The valid initializer names, comma separated.
std::string initializer_names();
/// The initializer called `name` with `arguments` (what name() and arguments() return, as a
/// saved model records them): `get("random_uniform", {{"minval", -0.1f}, {"maxval", 0.1f}})`.
/// ValueError for an unknown name or an argument the initializer does not take (naming the
/// ones it takes); a missing argument keeps its default.
Initializer get(const std::string& name, const std::map<std::string, float>& arguments);

}  // namespace xgrad::nn::init
