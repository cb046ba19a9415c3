#pragma once
// Private to nn: the layer graph of a functional Model, checked and in topological order.

#include <optional>
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"

namespace xgrad::nn::detail {

/// A functional model's graph: every node (Inputs and layer calls) in an order where each
/// node's inputs come first; the model's inputs and outputs as positions in that order. A node
/// has one output per output of its layer (several for a model used as a layer, see
/// Module::call_all); a "slot" says which.
struct FunctionalGraph {
    struct Node {
        std::shared_ptr<Module> layer;         // null for an Input
        std::vector<std::size_t> inputs;       // positions of the nodes it was called on
        std::vector<std::size_t> input_slots;  // which output of each of those nodes
        std::vector<Shape> shapes;             // per-sample shape of each output
        std::string input_name;                // Inputs only
        std::size_t call = 0;                  // which call of its layer (Keras' node index)
        std::vector<std::size_t> consumers;    // per output: later nodes' inputs that read it
    };
    std::vector<Node> nodes;
    std::vector<std::size_t> inputs;          // one position per model input
    std::vector<std::size_t> outputs;         // one position per model output
    std::vector<std::size_t> output_slots;    // which output of that node each model output is
    std::vector<std::string> output_names;
    std::vector<std::shared_ptr<Module>> layers;  // each layer once, in graph order

    /// Checks and orders the graph between `ins` and `outs` (errors name model `model`).
    FunctionalGraph(const std::vector<SymbolicTensor>& ins, const std::vector<SymbolicTensor>& outs,
                    const std::string& model);

    /// The name of node `p`: its layer's or its Input's.
    std::string name(std::size_t p) const;
    /// Runs every layer on `values` (one per model input); `strip[i]` takes output i without
    /// its final activation.
    std::vector<Tensor> run(const std::vector<Tensor>& values, const std::vector<bool>& strip,
                            const std::string& model) const;
    /// Output i's separable final activation: its layer's, when output i comes from a
    /// single-input layer call and nothing else reads it.
    std::optional<Activation> output_activation(std::size_t i) const;
    /// Keras' summary with the "Connected to" column.
    std::string summary(const std::string& model, std::size_t total_params) const;
};

}  // namespace xgrad::nn::detail
