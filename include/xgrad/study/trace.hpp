#pragma once
/// @file trace.hpp
/// Step records as readable text: one table row per (step, input), small tensors in full,
/// large ones summarised, optionally only the nodes of chosen scopes or ids.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "xgrad/study/stepper.hpp"

namespace xgrad::study {

/// What a trace shows.
struct TraceOptions {
    std::size_t max_elements = 12;    ///< values with more elements are summarised (xgrad::summarize)
    int precision = 4;                ///< significant digits of printed values
    std::vector<std::string> scopes;  ///< only nodes in these scopes ("dense_1" matches "dense_1/..."); empty = all
    std::set<std::uint64_t> nodes;    ///< only these node ids; empty = all (with scopes: either matches)
    bool show_generic_rule = false;   ///< add a column with the op's generic rule text
};

/// True when `step`'s node passes the scope and id filters of `options`.
bool selected(const StepRecord& step, const TraceOptions& options);

/// The steps as an aligned text table with the columns
/// step | node | op | dL/dC (upstream) | input | rule | produced dL/d(input) | +=.
/// Steps are numbered from 1; filtered-out steps are skipped (numbers keep their gaps).
std::string trace_table(const std::vector<StepRecord>& steps, const TraceOptions& options = {});

/// One step as a few lines of prose-like text (what the explorer and the examples print).
std::string format_step(const StepRecord& step, const TraceOptions& options = {});

/// Why an input got no gradient: "no gradient: constant", "... frozen parameter" (a leaf with
/// requires_grad off) or "... no parameter before it" (a recorded node computed from constants).
std::string no_gradient_reason(const NodeInfo& input);

/// "'dense_1/matmul' #12 (2x3)": a node as traces name it.
std::string node_name(const NodeInfo& node);

}  // namespace xgrad::study
