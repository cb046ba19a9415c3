#pragma once
/// @file graph_builder.hpp
/// xgrad::onnx::GraphBuilder: the small interface layer exporters use to add ONNX nodes and
/// initializers, without seeing protobuf. The ONNX project's own generated classes
/// (onnx::ModelProto, GraphProto, ...) stay inside src/onnx.

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::onnx {

/// A value flowing through the exported graph: its ONNX name and its per-sample shape
/// (the batch axis, symbolic in the file, is not included).
struct Value {
    std::string name;  ///< ONNX value name
    Shape shape;       ///< per-sample shape (without the batch axis)
};

/// An ONNX node attribute: int, float, string, ints or floats.
struct Attribute {
    std::string name;  ///< attribute name ("axis", "transB", ...)
    std::variant<std::int64_t, float, std::string, std::vector<std::int64_t>, std::vector<float>> value;
};

/// Builds one ONNX graph. Every name it hands out is unique within the graph: a second
/// "dense_1/Gemm" becomes "dense_1/Gemm_1".
class GraphBuilder {
public:
    /// Opaque state (the onnx::GraphProto being filled), defined in src/onnx.
    struct Impl;
    /// Wraps the state of one graph (used by the exporter).
    explicit GraphBuilder(Impl& impl) : impl_(&impl) {}

    /// Adds a float32 initializer (e.g. trained weights) named after `name`; returns its
    /// unique name. When an initializer was already added under the same `name` with the same
    /// shape and the same bits, nothing is added and that one's name is returned: every call of
    /// a layer called several times (shared weights) reads one initializer, written once.
    std::string initializer(const std::string& name, const Array& value);
    /// Adds an int64 initializer of shape `shape` (e.g. Reshape's target shape); returns its
    /// unique name. An equal one already added under the same `name` is reused, as above.
    std::string initializer_int64(const std::string& name, const std::vector<std::int64_t>& values,
                                  const std::vector<std::int64_t>& shape);
    /// Adds the node `op_type(inputs)` with one output, named "<scope>/<op_type>" (the layer
    /// label shows in Netron), and returns the output's unique value name.
    std::string node(const std::string& op_type, const std::vector<std::string>& inputs, const std::string& scope,
                     const std::vector<Attribute>& attributes = {});
    /// The opset the graph is written for (ExportOptions::opset).
    int opset() const;

private:
    Impl* impl_;
};

}  // namespace xgrad::onnx
