#pragma once
/// @file random.hpp
/// One process-wide random generator: xgrad::manual_seed makes a run reproducible.

#include <cstdint>
#include <random>

#include "xgrad/xt.hpp"

namespace xgrad {

/// Reseeds the generator used by initializers, shuffling and dropout-like ops.
void manual_seed(std::uint64_t seed);
/// The generator itself (deterministic for a given seed and call sequence).
std::mt19937_64& generator();
/// Samples from N(mean, stddev^2).
Array random_normal(const Shape& shape, float mean = 0.f, float stddev = 1.f);
/// Samples uniformly from [low, high).
Array random_uniform(const Shape& shape, float low = 0.f, float high = 1.f);

}  // namespace xgrad
