#pragma once
/// @file graph.hpp
/// Recording an op on the graph: the one function every op (and a user's custom op) calls.

#include <string>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Description of an op being recorded.
struct OpInfo {
    std::string name;  ///< op name shown in diagrams and errors ("matmul")
    std::string rule;  ///< local derivative rule as text ("dA = dC·Bᵀ, dB = Aᵀ·dC")
    std::vector<std::pair<std::string, std::string>> attrs = {};  ///< e.g. {"axes", "0"}
};

/// Records an op: wraps `value` in a new node. When gradient recording is on and any input
/// requires grad, the node keeps its inputs and `backward`; otherwise it is a plain result.
/// Under AnomalyGuard, a NaN or Inf in `value` throws ValueError naming the op.
Tensor record(OpInfo info, std::vector<Tensor> inputs, Array value, BackwardFn backward);

}  // namespace xgrad
