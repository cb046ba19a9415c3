#pragma once
// The graph-independent middle of the diagram code: builders (forward.cpp, backward.cpp) turn
// a graph into Items, emit() turns Items into DOT text.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xgrad/viz/dot.hpp"

namespace xgrad::viz::detail {

/// How a tensor is drawn.
enum class Kind { Parameter, Input, Intermediate, Output, Gradient, Seed, Forward };

/// One tensor to draw (and the op that made it, when op_label is not empty).
struct Item {
    std::uint64_t id = 0;
    Kind kind = Kind::Intermediate;
    std::string title;                   // first line of the record
    std::string shape;                   // "(2x3)"
    std::size_t size = 0;                // number of elements (parameter counts)
    std::string value_text;              // "" when not shown
    std::string grad_text;               // "" when not shown
    std::optional<double> heat;          // norm used by color_by_grad
    std::string op_label;                // "" for leaves and references
    std::vector<std::uint64_t> inputs;   // producing op's inputs, in order (repeats kept)
    std::string group;                   // cluster / layer ("" for none)
    bool root = false;
};

/// A graph ready to emit: items sorted by id.
struct Drawing {
    std::string caller;  // "to_dot", "backward_to_dot": prefixes error messages
    std::vector<Item> items;
};

/// Validates options (rankdir), applies the size guard and writes the DOT text.
std::string emit(const Drawing& drawing, const DotOptions& options);

/// Checks options shared by every entry point; throws ValueError naming `caller`.
void check_options(const std::string& caller, const DotOptions& options);

/// Throws the size-guard ValueError when `count` DOT nodes exceed options.max_nodes.
void check_size(const std::string& caller, std::size_t count, const DotOptions& options);

/// Op ellipse text: the op name and its attributes ("sum_to" reads "sum over axis 0").
std::string op_text(const Tensor& t);

/// Euclidean norm of all elements.
double norm(const Array& a);

}  // namespace xgrad::viz::detail

namespace xgrad::viz::detail {
/// Every node reachable from `roots`, sorted by id.
std::vector<Tensor> reachable(const std::vector<Tensor>& roots);
/// value/grad texts and the heat of a forward tensor.
void fill_value_and_grad(Item& item, const Tensor& t, const DotOptions& o);
}  // namespace xgrad::viz::detail
