// Built against an installed xgrad with xgrad::onnx: a Dense layer exports to a valid ONNX model.
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>

int main() {
    xgrad::nn::Dense layer(2, "relu", 3);
    return xgrad::onnx::export_to_string(layer).size() > 0 ? 0 : 1;
}
