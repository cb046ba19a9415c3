// GraphBuilder: fills an onnx::GraphProto with unique names, float and int64 initializers.
#include "xgrad/onnx/graph_builder.hpp"

#include <algorithm>
#include <bit>

#include "onnx/proto.hpp"

namespace xgrad::onnx {

namespace {

struct AttributeSetter {
    pb::AttributeProto* a;
    void operator()(std::int64_t v) const {
        a->set_type(pb::AttributeProto::INT);
        a->set_i(v);
    }
    void operator()(float v) const {
        a->set_type(pb::AttributeProto::FLOAT);
        a->set_f(v);
    }
    void operator()(const std::string& v) const {
        a->set_type(pb::AttributeProto::STRING);
        a->set_s(v);
    }
    void operator()(const std::vector<std::int64_t>& v) const {
        a->set_type(pb::AttributeProto::INTS);
        for (auto x : v) a->add_ints(x);
    }
    void operator()(const std::vector<float>& v) const {
        a->set_type(pb::AttributeProto::FLOATS);
        for (auto x : v) a->add_floats(x);
    }
};

// Same type, shape and data (names aside): reading either gives the same tensor.
bool same_tensor(const pb::TensorProto& a, const pb::TensorProto& b) {
    return a.data_type() == b.data_type() && std::equal(a.dims().begin(), a.dims().end(), b.dims().begin(), b.dims().end()) &&
           a.raw_data() == b.raw_data() &&
           std::equal(a.float_data().begin(), a.float_data().end(), b.float_data().begin(), b.float_data().end()) &&
           std::equal(a.int64_data().begin(), a.int64_data().end(), b.int64_data().begin(), b.int64_data().end());
}

}  // namespace

// A shared layer (or nested model) called twice asks twice for its weights under one name: the
// second call reads the first call's initializer, so the weights are written once, as ONNX
// allows any number of nodes to read one initializer. Only an equal tensor under the same
// requested name is reused, so no two different values ever meet under one name.
std::string GraphBuilder::Impl::add_initializer(const std::string& name, pb::TensorProto&& tensor) {
    std::vector<int>& same_name = initializers_by_base[name];
    for (int i : same_name) {
        const pb::TensorProto& existing = graph->initializer(i);
        if (same_tensor(existing, tensor)) return existing.name();
    }
    pb::TensorProto* t = graph->add_initializer();
    *t = std::move(tensor);
    t->set_name(unique(value_names, name));
    same_name.push_back(graph->initializer_size() - 1);
    return t->name();
}

std::string GraphBuilder::initializer(const std::string& name, const Array& value) {
    pb::TensorProto t;
    t.set_data_type(pb::TensorProto::FLOAT);
    for (auto d : value.shape()) t.add_dims(static_cast<std::int64_t>(d));
    // raw_data is little-endian float32 by the ONNX spec: one copy on little-endian hosts.
    if constexpr (std::endian::native == std::endian::little) {
        t.set_raw_data(reinterpret_cast<const char*>(value.data()), value.size() * sizeof(float));
    } else {
        for (float v : value) t.add_float_data(v);
    }
    return impl_->add_initializer(name, std::move(t));
}

std::string GraphBuilder::initializer_int64(const std::string& name, const std::vector<std::int64_t>& values,
                                            const std::vector<std::int64_t>& shape) {
    pb::TensorProto t;
    t.set_data_type(pb::TensorProto::INT64);
    for (auto d : shape) t.add_dims(d);
    for (auto v : values) t.add_int64_data(v);
    return impl_->add_initializer(name, std::move(t));
}

std::string GraphBuilder::node(const std::string& op_type, const std::vector<std::string>& inputs,
                               const std::string& scope, const std::vector<Attribute>& attributes) {
    const std::string base = scope.empty() ? op_type : scope + "/" + op_type;
    pb::NodeProto* n = impl_->graph->add_node();
    n->set_op_type(op_type);
    n->set_name(Impl::unique(impl_->node_names, base));
    for (const auto& in : inputs) n->add_input(in);  // "" stays "": an omitted optional input
    n->add_output(Impl::unique(impl_->value_names, base));
    for (const auto& attr : attributes) {
        pb::AttributeProto* a = n->add_attribute();
        a->set_name(attr.name);
        std::visit(AttributeSetter{a}, attr.value);
    }
    return n->output(0);
}

int GraphBuilder::opset() const { return impl_->opset; }

}  // namespace xgrad::onnx
