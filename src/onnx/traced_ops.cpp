// Recorded xgrad ops -> ONNX nodes, for the traced export. Each op's attributes are the text
// pairs it records (src/ops/*.cpp); shapes come from the traced values, whose first axis is
// the batch (the file's symbolic axis), so per-sample shapes drop it.
#include <charconv>
#include <map>
#include <string_view>

#include <xtensor/xmanipulation.hpp>

#include "onnx/trace.hpp"
#include "onnx/window_helpers.hpp"
#include "xgrad/format.hpp"
#include "xgrad/error.hpp"

namespace xgrad::onnx::detail {

namespace {

using Ints = std::vector<std::int64_t>;
using Emitter = std::function<std::string(const Node&, const TraceContext&, GraphBuilder&)>;

// "(3x4), (4)": the traced shapes of a node's inputs, for messages.
std::string input_shapes(const Node& n) {
    std::string s;
    for (const auto& in : n.inputs) s += (s.empty() ? "" : ", ") + shape_str(in->value.shape());
    return s;
}

const std::string& attr(const Node& n, const TraceContext& ctx, const std::string& key) {
    for (const auto& [k, v] : n.attrs) {
        if (k == key) return v;
    }
    ctx.fail("has op '" + n.op + "' without its '" + key + "' attribute");
}

// Every unsigned integer in attribute text: "0, 2" (axes), "3x3" (windows), "(2x5)" (shapes).
Ints integers(const std::string& text) {
    Ints out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] < '0' || text[i] > '9') {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
        out.push_back(std::stoll(text.substr(i, end - i)));
        i = end;
    }
    return out;
}

std::array<std::size_t, 2> pair_of(const Node& n, const TraceContext& ctx, const std::string& key) {
    const Ints v = integers(attr(n, ctx, key));
    if (v.size() != 2) ctx.fail("has op '" + n.op + "' with " + key + " '" + attr(n, ctx, key) + "', not two numbers");
    return {static_cast<std::size_t>(v[0]), static_cast<std::size_t>(v[1])};
}

std::string scope_of(const Node& n, const TraceContext& ctx) {
    return n.scope.empty() ? ctx.scope : ctx.scope + "/" + n.scope;
}

std::vector<std::string> names_of(const Node& n, const TraceContext& ctx) {
    std::vector<std::string> names;
    for (const auto& in : n.inputs) names.push_back(ctx.name_of(*in));
    return names;
}

// A unary or elementwise (NumPy broadcasting = ONNX broadcasting) op as one ONNX node.
Emitter same(const char* op_type, std::vector<Attribute> attributes = {}) {
    return [op_type, attributes](const Node& n, const TraceContext& ctx, GraphBuilder& g) {
        return g.node(op_type, names_of(n, ctx), scope_of(n, ctx), attributes);
    };
}

std::string emit_square(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const std::string x = ctx.name_of(*n.inputs[0]);
    return g.node("Mul", {x, x}, scope_of(n, ctx));
}

// clip records its bounds as "[lo, hi]" in text that reads back as exactly the same floats
// (src/ops/elementwise.cpp), so the file clips where xgrad does. Only an op of a user's own
// named "clip" can record something else.
std::string emit_clip(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const std::string& range = attr(n, ctx, "range");
    float lo = 0.f, hi = 0.f;
    const char* const end = range.data() + range.size();
    const char* p = range.data();
    const auto number = [&](float& v) {
        const auto r = std::from_chars(p, end, v);
        if (r.ec != std::errc()) return false;
        p = r.ptr;
        return true;
    };
    const auto literal = [&](std::string_view s) {
        if (std::string_view(p, static_cast<std::size_t>(end - p)).substr(0, s.size()) != s) return false;
        p += s.size();
        return true;
    };
    if (!(literal("[") && number(lo) && literal(", ") && number(hi) && literal("]") && p == end)) {
        ctx.fail("uses op 'clip' on " + input_shapes(n) + " with range '" + range + "', not two numbers \"[lo, hi]\" "
                 "(a custom op named 'clip'?)");
    }
    const std::string scope = scope_of(n, ctx);
    return g.node("Clip",
                  {ctx.name_of(*n.inputs[0]), g.initializer(scope + ".min", Array(lo)), g.initializer(scope + ".max", Array(hi))},
                  scope);
}

// A 2-D product x·W with x on the batch and W (or Wᵀ) a weight: MatMul, or Gemm with transB.
std::string emit_matmul(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const std::string& t = attr(n, ctx, "transpose");
    const Node &a = *n.inputs[0], &b = *n.inputs[1];
    if (t.size() != 2) ctx.fail("has op 'matmul' with transpose '" + t + "'");
    if (!ctx.on_batch(a) || ctx.on_batch(b) || t[0] == 'T') {
        ctx.fail("uses op 'matmul' (transpose " + t + ") on " + input_shapes(n) +
                 ", which the traced export supports only as x·W or x·Wᵀ with x on the batch axis and W independent "
                 "of the input");
    }
    const std::string scope = scope_of(n, ctx);
    if (t[1] == 'T') return g.node("Gemm", {ctx.name_of(a), ctx.name_of(b)}, scope, {{"transB", std::int64_t{1}}});
    return g.node("MatMul", {ctx.name_of(a), ctx.name_of(b)}, scope);
}

// Reshape to (0, per-sample dims): 0 keeps the symbolic batch axis. The batch must stay axis 0
// on both sides, or the reshape mixes samples.
std::string emit_reshape(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const auto& in = n.inputs[0]->value.shape();
    if (in.empty() || in[0] != ctx.batch || n.value.dimension() == 0 || n.value.shape()[0] != ctx.batch) {
        ctx.fail("uses op 'reshape' from " + shape_str(in) + " to " + shape_str(n.value.shape()) + ", which moves the "
                 "batch axis (traced with a batch of " + std::to_string(ctx.batch) + "); the batch must stay axis 0");
    }
    Ints shape{0};
    for (std::size_t i = 1; i < n.value.dimension(); ++i) shape.push_back(static_cast<std::int64_t>(n.value.shape()[i]));
    const std::string scope = scope_of(n, ctx);
    const std::string s = g.initializer_int64(scope + ".shape", shape, {static_cast<std::int64_t>(shape.size())});
    return g.node("Reshape", {ctx.name_of(*n.inputs[0]), s}, scope);
}

std::string emit_transpose(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const Ints perm = integers(attr(n, ctx, "perm"));
    if (perm.empty() || perm[0] != 0) {
        ctx.fail("uses op 'transpose' with perm (" + attr(n, ctx, "perm") + ") on " + input_shapes(n) +
                 ", which moves the batch axis; the batch must stay axis 0");
    }
    return g.node("Transpose", names_of(n, ctx), scope_of(n, ctx), {{"perm", perm}});
}

std::string emit_concat(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const std::int64_t axis = std::stoll(attr(n, ctx, "axis"));
    bool all_on_batch = true;
    for (const auto& in : n.inputs) all_on_batch = all_on_batch && ctx.on_batch(*in);
    if (axis == 0 || !all_on_batch) {
        ctx.fail("uses op 'concat' along axis " + std::to_string(axis) + " on " + input_shapes(n) +
                 ", which the traced export supports only along a per-sample axis of values that all depend on the "
                 "input");
    }
    return g.node("Concat", names_of(n, ctx), scope_of(n, ctx), {{"axis", axis}});
}

// sum / mean / max over per-sample axes; keepdims shows in the ranks. Opsets 13..17 give
// ReduceSum its axes as an input, ReduceMean and ReduceMax as an attribute.
Emitter reduce(const char* op_type) {
    return [op_type](const Node& n, const TraceContext& ctx, GraphBuilder& g) {
        const Ints axes = integers(attr(n, ctx, "axes"));
        for (auto a : axes) {
            if (a == 0) {
                ctx.fail("uses op '" + n.op + "' over axes (" + attr(n, ctx, "axes") + ") of " + input_shapes(n) +
                         ", which reduces over the batch axis (traced with a batch of " + std::to_string(ctx.batch) +
                         "); an exported graph computes each sample on its own");
            }
        }
        const std::int64_t keepdims = n.value.dimension() == n.inputs[0]->value.dimension() ? 1 : 0;
        const std::string scope = scope_of(n, ctx);
        const std::string x = ctx.name_of(*n.inputs[0]);
        if (std::string(op_type) == "ReduceSum") {
            const std::string a = g.initializer_int64(scope + ".axes", axes, {static_cast<std::int64_t>(axes.size())});
            return g.node(op_type, {x, a}, scope, {{"keepdims", keepdims}});
        }
        return g.node(op_type, {x}, scope, {{"axes", axes}, {"keepdims", keepdims}});
    };
}

// gather(table, ids) with ids on the batch and a table independent of the input (an Embedding):
// Gather on axis 0. xgrad's ids are floats holding integers, ONNX's Gather takes integer ones,
// so they are cast to INT64 (Cast truncates; xgrad refuses fractional ids).
std::string emit_gather(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const Node &table = *n.inputs[0], &ids = *n.inputs[1];
    if (ctx.on_batch(table) || !ctx.on_batch(ids)) {
        ctx.fail("uses op 'gather' on table " + shape_str(table.value.shape()) + " and indices " +
                 shape_str(ids.value.shape()) + ", which the traced export supports only as rows of a table independent "
                 "of the input picked by indices computed from it (as nn::Embedding does); rows picked from a value on "
                 "the batch would mix samples");
    }
    const std::string scope = scope_of(n, ctx);
    const std::string rows = g.node("Cast", {ctx.name_of(ids)}, scope, {{"to", std::int64_t{7}}});  // TensorProto::INT64
    return g.node("Gather", {ctx.name_of(table), rows}, scope, {{"axis", std::int64_t{0}}});
}

// A weight of a conv2d (kernel, bias): it must not depend on the input.
const Node& weight(const Node& n, std::size_t i, const TraceContext& ctx) {
    const Node& w = *n.inputs[i];
    if (ctx.on_batch(w) || !ctx.on_batch(*n.inputs[0])) {
        ctx.fail("uses op '" + n.op + "' on " + input_shapes(n) + " with a kernel or bias that depends on the "
                 "input (or an image that does not), which the traced export does not support");
    }
    return w;
}

// conv2d(x, K[, b]) channels-last: Transpose, Conv with K as (F, C, kh, kw), Transpose back,
// as the Conv2D layer's exporter.
std::string emit_conv2d(const Node& n, const TraceContext& ctx, GraphBuilder& g) {
    const Node& kernel = weight(n, 1, ctx);
    const auto& x = n.inputs[0]->value.shape();
    const auto& k = kernel.value.shape();  // (kh, kw, C, F)
    const Shape in{x[1], x[2], x[3]};
    const Window w = window(in, {k[0], k[1]}, pair_of(n, ctx, "strides"), pair_of(n, ctx, "dilation"),
                            padding_from_string(attr(n, ctx, "padding")));
    const std::string scope = scope_of(n, ctx);
    const std::string label = kernel.label.empty() ? scope + ".kernel" : kernel.label;
    std::vector<std::string> inputs{to_channels_first(ctx.name_of(*n.inputs[0]), 3, scope, g),
                                    g.initializer(label, Array(xt::transpose(kernel.value, {3, 2, 0, 1})))};
    if (n.inputs.size() > 2) inputs.push_back(ctx.name_of(weight(n, 2, ctx)));
    const std::string y = g.node("Conv", inputs, scope,
                                 {{"kernel_shape", w.kernel}, {"strides", w.strides}, {"dilations", w.dilations},
                                  {"pads", w.pads}});
    return to_channels_last(y, 3, scope, g);
}

// MaxPool / AveragePool between Transposes. ONNX pads a max with -inf and, with
// count_include_pad = 0, averages over the taps inside the image, as xgrad does.
Emitter pool(const char* op_type) {
    return [op_type](const Node& n, const TraceContext& ctx, GraphBuilder& g) {
        const auto& x = n.inputs[0]->value.shape();
        const Window w = window({x[1], x[2], x[3]}, pair_of(n, ctx, "pool_size"), pair_of(n, ctx, "strides"), {1, 1},
                                padding_from_string(attr(n, ctx, "padding")));
        std::vector<Attribute> attrs{{"kernel_shape", w.kernel}, {"strides", w.strides}, {"pads", w.pads}};
        if (std::string(op_type) == "AveragePool") attrs.push_back({"count_include_pad", std::int64_t{0}});
        const std::string scope = scope_of(n, ctx);
        const std::string y = g.node(op_type, {to_channels_first(ctx.name_of(*n.inputs[0]), 3, scope, g)}, scope, attrs);
        return to_channels_last(y, 3, scope, g);
    };
}

const std::map<std::string, Emitter>& emitters() {
    static const std::map<std::string, Emitter> table{
        {"add", same("Add")},
        {"sub", same("Sub")},
        {"mul", same("Mul")},
        {"div", same("Div")},
        {"maximum", same("Max")},
        {"minimum", same("Min")},
        {"neg", same("Neg")},
        {"exp", same("Exp")},
        {"log", same("Log")},
        {"sqrt", same("Sqrt")},
        {"abs", same("Abs")},
        {"square", emit_square},
        {"clip", emit_clip},
        {"relu", same("Relu")},
        {"sigmoid", same("Sigmoid")},
        {"tanh", same("Tanh")},
        // xgrad records softmax over the last axis (other axes are transposed around it).
        {"softmax", same("Softmax", {{"axis", std::int64_t{-1}}})},
        {"log_softmax", same("LogSoftmax", {{"axis", std::int64_t{-1}}})},
        {"matmul", emit_matmul},
        {"reshape", emit_reshape},
        {"transpose", emit_transpose},
        {"concat", emit_concat},
        {"gather", emit_gather},
        {"sum", reduce("ReduceSum")},
        {"mean", reduce("ReduceMean")},
        {"max", reduce("ReduceMax")},
        {"conv2d", emit_conv2d},
        {"max_pool2d", pool("MaxPool")},
        {"avg_pool2d", pool("AveragePool")},
    };
    return table;
}

}  // namespace

void TraceContext::fail(const std::string& what) const {
    throw ValueError("onnx::export_model: module '" + scope + "' (" + module.type_name() + ") " + what);
}

std::string emit_traced_op(const Node& node, const TraceContext& ctx, GraphBuilder& graph) {
    const auto& table = emitters();
    auto it = table.find(node.op);
    if (it == table.end()) {
        ctx.fail("uses op '" + node.op + "' on " + input_shapes(node) + " (traced with a batch of " +
                 std::to_string(ctx.batch) + "), which the traced export does not support; supported: " + traced_ops() +
                 " (or register an exporter with xgrad::onnx::register_layer_exporter)");
    }
    return it->second(node, ctx, graph);
}

std::string traced_ops() {
    std::string s;
    for (const auto& [op, e] : emitters()) s += (s.empty() ? "" : ", ") + op;
    return s;
}

}  // namespace xgrad::onnx::detail
