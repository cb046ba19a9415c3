// export_model: the ModelProto around the layers' nodes (opset, symbolic batch axis, input
// and output), ONNX's checker and strict shape inference, then an atomic write.
#include "xgrad/onnx/export.hpp"

#include <map>
#include <set>

#include "onnx/functional.hpp"
#include "onnx/proto.hpp"
#include "xgrad/error.hpp"
#include "xgrad/format.hpp"
#include "xgrad/io.hpp"

namespace xgrad::onnx {

namespace {

constexpr int kMinOpset = 13;  // Softmax over one axis, Squeeze/Unsqueeze axes as inputs
constexpr int kMaxOpset = 17;  // the newest opset Debian's ONNX 1.12 checks

// A float tensor value whose first axis is the symbolic batch dimension.
void describe_value(pb::ValueInfoProto* v, const std::string& name, const std::string& batch_dim, const Shape& shape) {
    v->set_name(name);
    auto* tensor = v->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(pb::TensorProto::FLOAT);
    auto* dims = tensor->mutable_shape();
    dims->add_dim()->set_dim_param(batch_dim);
    for (auto d : shape) dims->add_dim()->set_dim_value(static_cast<std::int64_t>(d));
}

// Renames value `from` to `to` wherever a node produces or reads it.
void rename_value(pb::GraphProto& graph, const std::string& from, const std::string& to) {
    for (auto& node : *graph.mutable_node()) {
        for (auto& in : *node.mutable_input()) {
            if (in == from) in = to;
        }
        for (auto& out : *node.mutable_output()) {
            if (out == from) out = to;
        }
    }
}

void check_options(const ExportOptions& o) {
    if (o.opset < kMinOpset || o.opset > kMaxOpset) {
        throw ValueError("onnx::export_model: opset " + std::to_string(o.opset) + " is not supported; use " +
                         std::to_string(kMinOpset) + ".." + std::to_string(kMaxOpset));
    }
    if (o.input_name.empty() || o.output_name.empty() || o.batch_dim.empty()) {
        throw ValueError("onnx::export_model: input_name, output_name and batch_dim must not be empty");
    }
    if (o.input_name == o.output_name) {
        throw ValueError("onnx::export_model: input_name and output_name are both '" + o.input_name + "'");
    }
}

// ONNX's own checks: the structural checker, then shape inference in strict mode with type
// checks, which also proves the declared output shape agrees with what the nodes compute.
void validate(const pb::ModelProto& model) {
    try {
        pb::checker::check_model(model);
        pb::ModelProto inferred = model;
        pb::shape_inference::InferShapes(inferred, pb::OpSchemaRegistry::Instance(),
                                         pb::ShapeInferenceOptions{/*check_type=*/true, /*error_mode=*/1});
    } catch (const std::exception& e) {
        throw ValueError(std::string("onnx::export_model: ONNX's checker rejects the exported graph: ") + e.what());
    }
}

}  // namespace

namespace {

// "1 input", "2 inputs" (noun "input"); "1 output", "2 outputs".
std::string count_text(std::size_t n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// The graph's inputs: a functional model's own (names and shapes of its nn::Input tensors), or
// the ones the options give (input_shape, or input_shapes for several), shaped by the first
// layer when neither is given; then named by input_names when given. `as_model` is `model` when
// it is an nn::Model (else null), `functional` when it is a functional one.
std::vector<Value> graph_inputs(const nn::Module& model, const nn::Model* as_model, const nn::Model* functional,
                                const ExportOptions& options, const std::string& model_text) {
    if (!options.input_shape.empty() && !options.input_shapes.empty()) {
        throw ValueError("onnx::export_model: " + model_text + ": set ExportOptions::input_shape (one input) or "
                         "input_shapes (several), not both");
    }
    std::vector<Value> ins;
    if (functional != nullptr) {
        const auto names = functional->input_names();
        const auto shapes = functional->input_shapes();
        for (std::size_t i = 0; i < names.size(); ++i) ins.push_back({names[i], shapes[i]});
        if (!options.input_shapes.empty()) {
            if (options.input_shapes.size() != ins.size()) {
                throw ValueError("onnx::export_model: " + model_text + " takes " + count_text(ins.size(), "input") +
                                 " (its nn::Input tensors), but ExportOptions::input_shapes gives " +
                                 std::to_string(options.input_shapes.size()));
            }
            for (std::size_t i = 0; i < ins.size(); ++i) ins[i].shape = options.input_shapes[i];
        } else if (ins.size() == 1 && !options.input_shape.empty()) {
            ins[0].shape = options.input_shape;
        }
    } else if (!options.input_shapes.empty()) {
        for (const auto& shape : options.input_shapes) ins.push_back({"", shape});
        if (ins.size() == 1) {
            ins[0].name = options.input_name;
        } else {
            const auto own = as_model != nullptr ? as_model->input_names() : std::vector<std::string>{};
            for (std::size_t i = 0; i < ins.size(); ++i) {
                ins[i].name = own.size() == ins.size() ? own[i] : options.input_name + "_" + std::to_string(i + 1);
            }
        }
    } else {
        Shape input_shape = options.input_shape;
        if (input_shape.empty()) {
            auto known = layer_input_shape(model);
            if (!known) {
                throw ValueError("onnx::export_model: the input shape of " + model_text +
                                 " is unknown; give its first layer an input_dim or set ExportOptions::input_shape");
            }
            input_shape = *known;
        }
        ins.push_back({options.input_name, input_shape});
    }
    // A subclassed model says how many inputs its forward_all takes (a plain Module's
    // forward_inputs says it when traced).
    if (as_model != nullptr && functional == nullptr && as_model->num_inputs() != ins.size()) {
        throw ValueError("onnx::export_model: " + model_text + " takes " + count_text(as_model->num_inputs(), "input") +
                         " (its num_inputs()), but ExportOptions gives " + std::to_string(ins.size()) +
                         " input shape(s); give one per input in ExportOptions::input_shapes");
    }
    if (!options.input_names.empty()) {
        if (options.input_names.size() != ins.size()) {
            throw ValueError("onnx::export_model: " + model_text + " takes " + count_text(ins.size(), "input") +
                             ", but ExportOptions::input_names gives " + std::to_string(options.input_names.size()));
        }
        for (std::size_t i = 0; i < ins.size(); ++i) ins[i].name = options.input_names[i];
    }
    std::set<std::string> seen;
    for (const auto& in : ins) {
        if (in.name.empty()) throw ValueError("onnx::export_model: " + model_text + " has an input with an empty name");
        if (!seen.insert(in.name).second) {
            throw ValueError("onnx::export_model: " + model_text + " has two inputs named '" + in.name + "'");
        }
    }
    return ins;
}

// The output names known before any node is emitted (reserved so that no node takes them): the
// given ones, a functional model's, or output_name. A traced model tells its count only once
// traced.
std::vector<std::string> known_output_names(const nn::Model* functional, const ExportOptions& options) {
    if (!options.output_names.empty()) return options.output_names;
    if (functional != nullptr) return functional->output_names();
    return {options.output_name};
}

// The graph outputs' names for `count` outputs: output_names when given (one per output), a
// functional model's own, output_name for one output, else the model's output_names() when it
// gives one per output, else output_1, output_2, ...
std::vector<std::string> graph_output_names(const nn::Model* as_model, const nn::Model* functional,
                                            const ExportOptions& options, std::size_t count,
                                            const std::string& model_text) {
    if (!options.output_names.empty()) {
        if (options.output_names.size() != count) {
            throw ValueError("onnx::export_model: " + model_text + " has " + count_text(count, "output") +
                             ", but ExportOptions::output_names gives " + std::to_string(options.output_names.size()));
        }
        return options.output_names;
    }
    if (functional != nullptr) return functional->output_names();
    if (count == 1) return {options.output_name};
    std::vector<std::string> names = as_model != nullptr ? as_model->output_names() : std::vector<std::string>{};
    if (names.size() == count) return names;
    names.clear();
    for (std::size_t i = 0; i < count; ++i) names.push_back(options.output_name + "_" + std::to_string(i + 1));
    return names;
}

}  // namespace

std::string export_to_string(const nn::Module& model, const ExportOptions& options) {
    check_options(options);
    const std::string who = model.name().empty() ? model.type_name() : model.name();
    const auto* as_model = dynamic_cast<const nn::Model*>(&model);
    const nn::Model* functional = as_model != nullptr && as_model->is_functional() ? as_model : nullptr;
    const std::string model_text = "model '" + who + "' (" + model.type_name() + ")";
    const std::vector<Value> inputs = graph_inputs(model, as_model, functional, options, model_text);
    if (!model.built()) {
        throw ValueError("onnx::export_model: " + model_text +
                         " is not built; give its first layer an input shape or run it once before exporting");
    }

    pb::ModelProto proto;
    proto.set_ir_version(pb::IR_VERSION);
    proto.set_producer_name("xgrad");
    proto.set_producer_version(XGRAD_VERSION);
    if (!options.doc_string.empty()) proto.set_doc_string(options.doc_string);
    auto* opset = proto.add_opset_import();
    opset->set_domain("");
    opset->set_version(options.opset);

    pb::GraphProto* graph = proto.mutable_graph();
    graph->set_name(who);
    GraphBuilder::Impl impl;
    impl.graph = graph;
    impl.opset = options.opset;
    for (const auto& in : inputs) {
        describe_value(graph->add_input(), in.name, options.batch_dim, in.shape);
        impl.value_names.insert(in.name);
    }
    std::set<std::string> reserved;
    for (const auto& name : known_output_names(functional, options)) {
        if (!impl.value_names.insert(name).second) {
            throw ValueError("onnx::export_model: model '" + who + "' has two inputs or outputs named '" + name + "'");
        }
        reserved.insert(name);
    }
    GraphBuilder builder(impl);
    const std::vector<Value> outputs = functional != nullptr ? emit_functional(*functional, inputs, builder)
                                                             : emit_layer_all(model, inputs, builder);
    // predict and fit expect num_outputs() arrays: a file with another count would not match them.
    if (as_model != nullptr && functional == nullptr && as_model->num_outputs() != outputs.size()) {
        throw ValueError("onnx::export_model: " + model_text + " returns " + count_text(outputs.size(), "output") +
                         " from its traced forward_all, but its num_outputs() is " + std::to_string(as_model->num_outputs()) +
                         "; override num_outputs() to say " + std::to_string(outputs.size()));
    }
    const std::vector<std::string> output_names =
        graph_output_names(as_model, functional, options, outputs.size(), model_text);
    for (const auto& name : output_names) {
        if (reserved.count(name) == 0 && !impl.value_names.insert(name).second) {
            throw ValueError("onnx::export_model: " + model_text + " has an output named '" + name +
                             "', which is already the name of an input, another output or a value of the graph; "
                             "give other names in ExportOptions::output_names");
        }
    }

    // Each output value gets the output's name. A graph input, or a value already renamed for
    // another output (two outputs of one value), gets an Identity node instead.
    std::map<std::string, std::string> named;
    for (const auto& in : inputs) named[in.name] = in.name;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        if (auto it = named.find(outputs[i].name); it != named.end()) {
            pb::NodeProto* n = graph->add_node();
            n->set_op_type("Identity");
            n->set_name(GraphBuilder::Impl::unique(impl.node_names, output_names[i] + "/Identity"));
            n->add_input(it->second);
            n->add_output(output_names[i]);
        } else {
            rename_value(*graph, outputs[i].name, output_names[i]);
            named[outputs[i].name] = output_names[i];
        }
        describe_value(graph->add_output(), output_names[i], options.batch_dim, outputs[i].shape);
    }

    validate(proto);
    std::string bytes;
    if (!proto.SerializeToString(&bytes)) {
        throw ValueError("onnx::export_model: model '" + who + "' could not be serialized (over protobuf's 2 GB limit?)");
    }
    return bytes;
}

void export_model(const nn::Module& model, const std::string& path, const ExportOptions& options) {
    write_file_atomic(path, export_to_string(model, options), "onnx::export_model");
}

}  // namespace xgrad::onnx
