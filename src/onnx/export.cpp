// export_model: the ModelProto around the layers' nodes (opset, symbolic batch axis, input
// and output), ONNX's checker and strict shape inference, then an atomic write.
#include "xgrad/onnx/export.hpp"

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

std::string export_to_string(const nn::Module& model, const ExportOptions& options) {
    check_options(options);
    const std::string who = model.name().empty() ? model.type_name() : model.name();
    Shape input_shape = options.input_shape;
    if (input_shape.empty()) {
        auto known = layer_input_shape(model);
        if (!known) {
            throw ValueError("onnx::export_model: the input shape of model '" + who + "' (" + model.type_name() +
                             ") is unknown; give its first layer an input_dim or set ExportOptions::input_shape");
        }
        input_shape = *known;
    }
    if (!model.built()) {
        throw ValueError("onnx::export_model: model '" + who + "' (" + model.type_name() +
                         ") is not built; give its first layer an input shape or run it once before exporting");
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
    describe_value(graph->add_input(), options.input_name, options.batch_dim, input_shape);

    GraphBuilder::Impl impl;
    impl.graph = graph;
    impl.opset = options.opset;
    impl.value_names = {options.input_name, options.output_name};  // no node may take these
    GraphBuilder builder(impl);
    const Value out = emit_layer(model, {Value{options.input_name, input_shape}}, builder);

    if (out.name == options.input_name) {
        // A model whose layers emit no node (a user exporter returning its input) still has an output.
        pb::NodeProto* n = graph->add_node();
        n->set_op_type("Identity");
        n->set_name(layer_scope(model) + "/Identity");
        n->add_input(options.input_name);
        n->add_output(options.output_name);
    } else {
        rename_value(*graph, out.name, options.output_name);
    }
    describe_value(graph->add_output(), options.output_name, options.batch_dim, out.shape);

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
