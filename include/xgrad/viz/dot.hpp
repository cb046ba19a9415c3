#pragma once
/// @file viz/dot.hpp
/// Graphviz DOT text of xgrad graphs: forward graphs (tensors as records, ops as ellipses,
/// name scopes as clusters or collapsed into one box per layer) and the gradient graph that a
/// backward pass with create_graph records.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::viz {

/// What a diagram shows and how. Every field has a default; the output is byte-identical for
/// the same graph and options (nodes sorted by id, fixed number formatting).
struct DotOptions {
    std::string rankdir = "TB";            ///< "TB" (top to bottom) or "LR" (left to right)
    std::size_t max_value_elements = 6;    ///< all elements up to this size, else min/max/mean/norm
    bool show_values = true;               ///< a "value" field on each tensor
    bool show_grads = true;                ///< a "grad" field: `gradients[id]`, else the tensor's grad()
    /// Tensors with the same scope() in one labelled cluster, nested by scope path; with
    /// collapse_layers, a cluster around the layer boxes of each enclosing scope (a nested model).
    bool clusters = true;
    bool collapse_layers = false;          ///< each scope as ONE box: in/out shapes, parameter count
    bool color_by_grad = false;            ///< fill by log10 |grad| (Frobenius norm), with a legend
    std::size_t max_nodes = 500;           ///< more DOT nodes than this: ValueError
    std::set<std::uint64_t> highlight;     ///< tensor ids drawn highlighted (with their op)
    /// Edges drawn highlighted, as (input id, output id); (output id, input id) is accepted too,
    /// so a backward stepper may pass (stepped node, input).
    std::set<std::pair<std::uint64_t, std::uint64_t>> highlight_edges;
    std::map<std::uint64_t, Array> gradients;  ///< gradients to show per tensor id (override grad())
    std::string title;                     ///< graph label ("" for none)
    bool legend = true;                    ///< a legend cluster explaining colours and shapes
    bool renumber = false;                 ///< DOT ids n1..nN in id order instead of the global ids
};

/// The forward graph behind `root` as DOT text. DOT node ids are `n<id>` for tensors and
/// `n<id>_op` for the op that produced tensor `id`. Throws ValueError for bad options, an
/// undefined root, or a graph with more than `max_nodes` DOT nodes.
std::string to_dot(const Tensor& root, const DotOptions& options = {});
/// The forward graph behind several roots (drawn as outputs), as DOT text.
std::string to_dot(const std::vector<Tensor>& roots, const DotOptions& options = {});

/// A model-level diagram like Keras' plot_model: every scope (layer) as one box with its input
/// and output shapes and parameter count, tensors outside any scope as input/output boxes,
/// edges labelled with shapes; a scope holding layer boxes (a nested model "encoder" around
/// "encoder/trunk", ...) is a labelled cluster around them. Equals to_dot with collapse_layers and without values or grads.
std::string model_dot(const Tensor& output, const DotOptions& options = {});

/// The gradient graph of `loss` (a one-element tensor that requires grad): runs a
/// BackwardEngine with create_graph (accumulate off: no grad() is changed) and draws the ops it
/// records. Each gradient is labelled `dL/d<label>`; a broadcast reduction reads
/// `sum over axis 0`; where a tensor used several times gets its contributions added, the add
/// is drawn as `+=`. Forward tensors that gradient ops read are drawn dashed. Clusters follow
/// the scope of the forward op whose backward created the node. ValueError for a loss that is
/// undefined, not one element or needs no grad; GraphError when an earlier backward() without
/// retain_graph freed the graph; ValueError past `max_nodes`.
std::string backward_to_dot(const Tensor& loss, const DotOptions& options = {});

}  // namespace xgrad::viz
