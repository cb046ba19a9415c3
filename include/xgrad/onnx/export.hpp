#pragma once
/// @file export.hpp
/// Export of trained xgrad models to ONNX (https://onnx.ai), so they run in ONNX Runtime,
/// open in Netron and load in other frameworks. Part of the optional `xgrad::onnx` library
/// (built when Debian's libonnx-dev and libprotobuf-dev are found); docs/interop.md.
///
/// ```cpp
/// #include <xgrad/onnx/export.hpp>
/// xgrad::onnx::export_model(network, "mnist.onnx");   // input "input" (batch, 784), output "output" (batch, 10)
/// ```

#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/onnx/registry.hpp"

namespace xgrad::onnx {

/// Options of export_model.
struct ExportOptions {
    int opset = 17;                   ///< default-domain opset written (13..17; ONNX 1.12 knows up to 17)
    std::string input_name = "input";    ///< the graph input's name (one input)
    /// The graph inputs' names, one per input, in the order forward_all takes them; {} = the
    /// defaults: input_name for one input; for several, a functional model's nn::Input names, a
    /// subclassed model's input_names() when it gives one per input, else "input_1", "input_2", ...
    std::vector<std::string> input_names = {};
    std::string output_name = "output";  ///< the graph output's name (one output)
    /// The graph outputs' names, one per output, in the order forward_all returns them; {} = the
    /// defaults: a functional model's output_names(); for another model, output_name for one
    /// output; for several, the model's output_names() when it gives one per output, else
    /// "output_1", "output_2", ... (output_name with a number).
    std::vector<std::string> output_names = {};
    std::string batch_dim = "batch";  ///< the symbolic name of the batch axis (first axis of input and output)
    Shape input_shape = {};           ///< per-sample input shape; {} = from the model (first layer's input_dim)
    /// Per-sample shapes of several inputs, in the order forward_all takes them (a subclassed
    /// model whose num_inputs() is 2 or more); {} = input_shape alone. Give one or the other.
    std::vector<Shape> input_shapes = {};
    std::string doc_string = "";      ///< free text stored in the model (shown by Netron)
};

/// The model as a serialized ONNX ModelProto. The graph has one input
/// `input_name` of shape (batch_dim, input_shape...), or one per entry of `input_shapes`,
/// and one output `output_name`, or one per output when forward_all returns several (named by
/// `output_names`, see ExportOptions) (a functional Model: one input per nn::Input and one
/// output per model output, with their names and shapes; a functional model used as a layer
/// may have several outputs, each read where the outer model reads it); every
/// layer's parameters are initializers named by their dotted paths ("dense_1.kernel"); node
/// names carry the layer labels ("dense_1/Gemm"). The model is checked with ONNX's own
/// checker and strict shape inference before it is returned.
/// A module with no registered exporter (a user's nn::Module or nn::Model subclass, whose
/// forward is arbitrary C++ over xgrad ops) is traced: its forward runs once in inference mode
/// on a sample batch and its recorded ops become ONNX nodes (docs/interop.md lists them); the
/// model's training flags, weights and gradients are left as they were. A subclassed model
/// cannot tell its input shape: give ExportOptions::input_shape, or input_shapes when its
/// forward_all takes several inputs.
/// Errors (ValueError): the model is not built and no input_shape is given; both input_shape
/// and input_shapes are given; the number of input shapes or names is not the number of inputs
/// the model takes (num_inputs(), a functional model's nn::Input tensors); the number of
/// output_names is not the number of outputs; a traced model returns a number of outputs other
/// than its num_outputs(); two inputs or outputs share a name; a traced module uses an op the
/// trace does not map, or computes across the batch axis
/// (the message names the module, the op and its traced shapes); an opset outside 13..17; the
/// checker rejects the graph. An error of a traced forward itself (a shape error, an index out
/// of a table) keeps its type and gets the module's name in front; a std::exception that is
/// not an xgrad error (a std::out_of_range or std::runtime_error thrown by user code in the
/// forward) becomes a ValueError with the same prefix and its what() text.
std::string export_to_string(const nn::Module& model, const ExportOptions& options = {});

/// Writes export_to_string(model, options) to `path` atomically (a crash never leaves a
/// half-written file); IoError "onnx::export_model: <path>: <reason>" when it cannot.
void export_model(const nn::Module& model, const std::string& path, const ExportOptions& options = {});

}  // namespace xgrad::onnx
