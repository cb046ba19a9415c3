#pragma once
// The ONNX project's generated protobuf classes and the builder's state. Only src/onnx sees
// them: public headers stay free of protobuf. ONNX_ML and ONNX_NAMESPACE=onnx come from the
// imported `onnx` CMake target (Debian's libonnx-dev ships onnx-ml.pb.h only).
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "xgrad/onnx/graph_builder.hpp"

namespace xgrad::onnx {

// Inside xgrad::onnx, `onnx::` would name this namespace: the ONNX project's is `pb`.
namespace pb = ::onnx;

struct GraphBuilder::Impl {
    pb::GraphProto* graph = nullptr;
    int opset = 0;
    std::set<std::string> value_names;  // inputs, initializers and node outputs
    std::set<std::string> node_names;
    // Initializers by the name they were asked for (before `unique`): where a new one equals
    // one of these in type, shape and data, the existing one is read instead (indices into
    // graph->initializer()).
    std::map<std::string, std::vector<int>> initializers_by_base;

    // Adds `tensor` as an initializer named after `name` and returns its unique name; an equal
    // tensor already added under the same requested name is returned instead (shared weights).
    std::string add_initializer(const std::string& name, pb::TensorProto&& tensor);

    // `base`, or `base_1`, `base_2`, ... : the first one not in `used`, which it joins.
    static std::string unique(std::set<std::string>& used, const std::string& base) {
        std::string name = base;
        for (int k = 1; used.count(name) > 0; ++k) name = base + "_" + std::to_string(k);
        used.insert(name);
        return name;
    }
};

}  // namespace xgrad::onnx
