// Functional models: checking the user's layer graph (inputs, outputs, cycles, names), ordering
// it, running it, and Keras' summary with the "Connected to" column.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "nn/functional_graph.hpp"
#include "nn/summary_table.hpp"
#include "xgrad/format.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::nn {

namespace detail {

namespace {
std::string node_name(const SymbolicNode* n) { return n->layer ? n->layer->name() : n->input_name; }
}  // namespace

FunctionalGraph::FunctionalGraph(const std::vector<SymbolicTensor>& ins, const std::vector<SymbolicTensor>& outs,
                                 const std::string& model) {
    const std::string who = "Model '" + model + "': ";
    if (ins.empty()) throw ValueError(who + "no inputs given; pass the tensors nn::Input returned");
    if (outs.empty()) throw ValueError(who + "no outputs given");
    std::unordered_map<const SymbolicNode*, std::size_t> input_index;
    std::string input_list;
    for (std::size_t i = 0; i < ins.size(); ++i) {
        if (!ins[i].defined()) throw ValueError(who + "input " + std::to_string(i) + " is an undefined symbolic tensor");
        if (!ins[i].is_input()) {
            throw ValueError(who + "input " + std::to_string(i) + " ('" + ins[i].name() + "', the output of " +
                             ins[i].layer()->type_name() + " '" + ins[i].name() +
                             "') is not an nn::Input; a model's inputs must come from nn::Input(shape, name)");
        }
        if (!input_index.emplace(ins[i].node().get(), i).second) {
            throw ValueError(who + "input '" + ins[i].name() + "' is given twice");
        }
        input_list += (input_list.empty() ? "'" : ", '") + ins[i].name() + "'";
    }

    // Depth-first from the outputs with an explicit stack; state 1 = on the current path.
    std::unordered_map<const SymbolicNode*, int> state;
    std::vector<const SymbolicNode*> order;
    for (std::size_t o = 0; o < outs.size(); ++o) {
        if (!outs[o].defined()) throw ValueError(who + "output " + std::to_string(o) + " is an undefined symbolic tensor");
        std::vector<std::pair<const SymbolicNode*, std::size_t>> stack{{outs[o].node().get(), 0}};
        if (state[stack.back().first] == 2) continue;
        state[stack.back().first] = 1;
        while (!stack.empty()) {
            const SymbolicNode* n = stack.back().first;
            const std::size_t k = stack.back().second;
            if (k == 0 && !n->layer && !input_index.count(n)) {
                throw ValueError(who + "output '" + outs[o].name() + "' depends on Input '" + n->input_name +
                                 "', which is not among the model's inputs (" + input_list + ")");
            }
            if (k < n->inputs.size()) {
                ++stack.back().second;
                const SymbolicNode* child = n->inputs[k].get();
                if (!child) throw ValueError(who + "layer '" + node_name(n) + "' was called on an undefined tensor");
                int& s = state[child];
                if (s == 1) {
                    std::string cycle;
                    bool on = false;
                    for (const auto& [m, unused] : stack) {
                        on = on || m == child;
                        if (on) {
                            // Piece by piece: GCC 12 flags `"'" + name` with a false -Wstringop-overflow.
                            cycle += '\'';
                            cycle += node_name(m);
                            cycle += "' -> ";
                        }
                    }
                    throw ValueError(who + "the layer graph has a cycle: " + cycle + "'" + node_name(child) +
                                     "'; a model's graph must be acyclic");
                }
                if (s == 0) {
                    s = 1;
                    stack.emplace_back(child, 0);
                }
                continue;
            }
            state[n] = 2;
            order.push_back(n);
            stack.pop_back();
        }
    }
    std::string output_list;
    for (const auto& o : outs) output_list += (output_list.empty() ? "'" : ", '") + o.name() + "'";
    for (const auto& in : ins) {
        if (state[in.node().get()] != 2) {
            throw ValueError(who + "input '" + in.name() + "' is not used by any output (" + output_list +
                             "); remove it or connect it");
        }
    }

    // Nodes in order, with positions, call indices and consumer counts.
    std::unordered_map<const SymbolicNode*, std::size_t> pos;
    std::map<const Module*, std::size_t> calls;
    for (const SymbolicNode* n : order) {
        Node node{n->layer, {}, {}, n->shapes, n->input_name, 0, std::vector<std::size_t>(n->shapes.size(), 0)};
        for (std::size_t i = 0; i < n->inputs.size(); ++i) {
            const std::size_t q = pos.at(n->inputs[i].get());
            node.inputs.push_back(q);
            node.input_slots.push_back(n->input_slots.at(i));
            ++nodes[q].consumers.at(n->input_slots[i]);
        }
        if (n->layer) {
            node.call = calls[n->layer.get()]++;
            if (node.call == 0) layers.push_back(n->layer);
        }
        pos[n] = nodes.size();
        nodes.push_back(std::move(node));
    }
    for (const auto& in : ins) inputs.push_back(pos.at(in.node().get()));
    for (const auto& o : outs) {
        outputs.push_back(pos.at(o.node().get()));
        output_slots.push_back(o.slot());
    }

    // Names: unique among layers and inputs; automatic ones renumbered in graph order.
    std::map<std::string, std::string> taken;  // name -> what holds it
    for (const auto& in : ins) {
        if (!taken.emplace(in.name(), "Input").second) throw ValueError(who + "two inputs are named '" + in.name() + "'");
    }
    for (const auto& layer : layers) {
        if (layer->has_automatic_name()) continue;
        auto [it, fresh] = taken.emplace(layer->name(), layer->type_name());
        if (!fresh) {
            throw ValueError(who + "two layers are named '" + layer->name() + "' (" + it->second + " and " +
                             layer->type_name() + "); names must be unique within a model");
        }
    }
    for (const auto& layer : layers) {
        if (!layer->has_automatic_name()) continue;
        const std::string base = layer->automatic_name_base();
        std::string candidate;
        for (std::size_t k = 1;; ++k) {
            candidate = base + "_" + std::to_string(k);
            if (!taken.count(candidate)) break;
        }
        taken.emplace(candidate, layer->type_name());
        layer->set_name(candidate);
    }
    std::map<std::string, std::size_t> seen;
    for (std::size_t p : outputs) {
        const std::string n = name(p);
        const std::size_t k = seen[n]++;
        output_names.push_back(k == 0 ? n : n + "_" + std::to_string(k));
    }
}

std::string FunctionalGraph::name(std::size_t p) const {
    return nodes[p].layer ? nodes[p].layer->name() : nodes[p].input_name;
}

std::vector<Tensor> FunctionalGraph::run(const std::vector<Tensor>& values, const std::vector<bool>& strip,
                                         const std::string& model) const {
    if (values.size() != inputs.size()) {
        throw ValueError("model '" + model + "' takes " + std::to_string(inputs.size()) +
                         (inputs.size() == 1 ? " input, got " : " inputs, got ") + std::to_string(values.size()));
    }
    std::vector<std::vector<Tensor>> v(nodes.size());  // per node, one Tensor per output
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Node& in = nodes[inputs[i]];
        const Shape& shape = in.shapes[0];
        const auto& s = values[i].shape();
        if (s.size() != shape.size() + 1 || !std::equal(shape.begin(), shape.end(), s.begin() + 1)) {
            throw ShapeError("model '" + model + "': input '" + in.input_name + "' expects " + batch_shape(shape) +
                             ", got " + shape_str(s));
        }
        v[inputs[i]] = {values[i]};
    }
    std::vector<std::vector<bool>> logits(nodes.size());  // per node, the outputs wanted without activation
    for (std::size_t i = 0; i < outputs.size() && i < strip.size(); ++i) {
        if (!strip[i]) continue;
        auto& l = logits[outputs[i]];
        l.resize(std::max(l.size(), output_slots[i] + 1), false);
        l[output_slots[i]] = true;
    }
    std::vector<Tensor> ins;
    for (std::size_t p = 0; p < nodes.size(); ++p) {
        const Node& n = nodes[p];
        if (!n.layer) continue;
        ins.clear();
        for (std::size_t k = 0; k < n.inputs.size(); ++k) ins.push_back(v[n.inputs[k]][n.input_slots[k]]);
        {
            // A model used as a layer records its layers' ops inside its own name scope
            // ("encoder/dense_1"), as its parameters are named "encoder.dense_1.kernel": the
            // diagrams then draw it as one cluster, and its dense_1 is not the outer model's.
            std::optional<NameScope> scope;
            if (dynamic_cast<const Model*>(n.layer.get())) scope.emplace(n.layer->name());
            v[p] = n.layer->forward_all(ins, logits[p]);
        }
        if (v[p].size() != n.shapes.size()) {
            throw ValueError("model '" + model + "': layer '" + n.layer->name() + "' (" + n.layer->type_name() +
                             ") returned " + std::to_string(v[p].size()) + " outputs, but had " +
                             std::to_string(n.shapes.size()) + " when it was called on symbolic tensors");
        }
    }
    std::vector<Tensor> out;
    for (std::size_t i = 0; i < outputs.size(); ++i) out.push_back(v[outputs[i]][output_slots[i]]);
    return out;
}

std::optional<Activation> FunctionalGraph::output_activation(std::size_t i) const {
    const std::size_t p = outputs.at(i), slot = output_slots.at(i);
    const Node& n = nodes[p];
    if (!n.layer || n.inputs.size() != 1 || n.consumers.at(slot) != 0) return std::nullopt;
    for (std::size_t j = 0; j < outputs.size(); ++j) {
        // One tensor, two model outputs: keep it whole.
        if (j != i && outputs[j] == p && output_slots[j] == slot) return std::nullopt;
    }
    const auto acts = n.layer->output_activations();
    return slot < acts.size() ? acts[slot] : std::nullopt;
}

std::string FunctionalGraph::summary(const std::string& model, std::size_t total_params) const {
    std::vector<std::vector<std::string>> rows;
    for (std::size_t p = 0; p < nodes.size(); ++p) {
        const Node& n = nodes[p];
        if (!n.layer) {
            rows.push_back({n.input_name + " (InputLayer)", batch_shape(n.shapes[0]), "0", "[]"});
            continue;
        }
        if (n.call != 0) continue;  // a shared layer: one row listing every call
        std::string connected;
        for (std::size_t q = p; q < nodes.size(); ++q) {
            if (nodes[q].layer != n.layer) continue;
            for (std::size_t k = 0; k < nodes[q].inputs.size(); ++k) {
                const std::size_t in = nodes[q].inputs[k];
                connected += (connected.empty() ? "'" : ", '") + name(in) + "[" + std::to_string(nodes[in].call) +
                             "][" + std::to_string(nodes[q].input_slots[k]) + "]'";
            }
        }
        // Several outputs (a model used as a layer): Keras' list, one shape a line.
        std::string shapes;
        for (const auto& s : n.shapes) shapes += (shapes.empty() ? "" : ",\n ") + batch_shape(s);
        if (n.shapes.size() > 1) shapes = "[" + shapes + "]";
        rows.push_back({n.layer->name() + " (" + n.layer->type_name() + ")", shapes,
                        std::to_string(n.layer->count_params()), "[" + connected + "]"});
    }
    return summary_table(model, {"Layer (type)", "Output Shape", "Param #", "Connected to"}, {31, 21, 12, 33}, rows,
                         total_params);
}

}  // namespace detail

Model::Model(std::vector<SymbolicTensor> inputs, std::vector<SymbolicTensor> outputs, std::string name)
    : Model(std::move(name)) {
    auto graph = std::make_shared<detail::FunctionalGraph>(inputs, outputs, this->name());
    for (const auto& layer : graph->layers) register_module(layer->name(), layer);
    graph_ = std::move(graph);
}

Model::Model(std::shared_ptr<Module> module, std::string name) : Model(std::move(name)) {
    if (!module) throw ValueError("Model '" + this->name() + "': null module");
    std::string child = module->name();
    if (child.empty()) {
        child = module->type_name();
        for (auto& c : child) c = char(std::tolower(static_cast<unsigned char>(c)));
    }
    register_module(child, module);
    wrapped_ = std::move(module);
}

std::vector<std::shared_ptr<Module>> Model::layers() const {
    if (graph_) return graph_->layers;
    std::vector<std::shared_ptr<Module>> out;
    for (const auto& [n, c] : children()) out.push_back(c);
    return out;
}

std::vector<Shape> Model::input_shapes() const {
    if (!graph_) return seen_input_shapes_;
    std::vector<Shape> out;
    for (std::size_t p : graph_->inputs) out.push_back(graph_->nodes[p].shapes[0]);
    return out;
}

}  // namespace xgrad::nn
