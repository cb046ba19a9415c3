// Exporters of the convnet layers. xgrad is channels-last (N, H, W, C) as Keras; ONNX's Conv,
// MaxPool, AveragePool and BatchNormalization are channels-first (N, C, H, W). Each such layer
// is wrapped in a Transpose pair, the kernel is written in ONNX's (F, C, kh, kw) order, and
// ONNX Runtime's optimizer cancels the back-to-back transposes between layers.
#include <numeric>

#include "onnx/builtin_layers.hpp"
#include "onnx/layer_helpers.hpp"
#include "onnx/window_helpers.hpp"
#include "xgrad/format.hpp"
#include "xgrad/nn/conv.hpp"
#include "xgrad/nn/dropout.hpp"
#include "xgrad/nn/embedding.hpp"
#include "xgrad/nn/norm.hpp"
#include "xgrad/nn/pooling.hpp"
#include "xgrad/nn/reshape.hpp"

namespace xgrad::onnx {

namespace {

using detail::as;
using detail::require_built;
using detail::single_input;
using detail::to_channels_first;
using detail::to_channels_last;
using detail::Window;
using detail::window;
using Ints = std::vector<std::int64_t>;

void require_rank(const nn::Module& layer, const Value& x, std::size_t rank, const char* layout) {
    if (x.shape.size() != rank) {
        throw ShapeError("onnx::export_model: layer '" + layer_scope(layer) + "' (" + layer.type_name() +
                         ") expects per-sample inputs " + layout + ", got " + shape_str(x.shape));
    }
}

// activation(conv2d(x, K) + b): Transpose, Conv with K as (F, C, kh, kw) and b, Transpose back.
Value emit_conv2d(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& conv = as<nn::Conv2D>(layer, "Conv2D");
    require_built(conv);
    const Value& x = single_input(layer, inputs);
    require_rank(layer, x, 3, "(height, width, channels)");
    const std::string scope = layer_scope(conv);
    const auto& k = conv.kernel().shape();  // (kh, kw, C, F)
    if (x.shape[2] != k[2]) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (Conv2D) expects " + std::to_string(k[2]) +
                         " channels, got per-sample inputs " + shape_str(x.shape));
    }
    const auto o = conv.op_options();
    const Window w = window(x.shape, {k[0], k[1]}, o.strides, o.dilation_rate, o.padding);
    if (w.out[0] == 0 || w.out[1] == 0) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (Conv2D): its kernel does not fit inputs " +
                         shape_str(x.shape));
    }
    Array kernel = xt::transpose(conv.kernel().value(), {3, 2, 0, 1});
    std::vector<std::string> in{to_channels_first(x.name, 3, scope, g), g.initializer(conv.kernel().label(), kernel)};
    if (conv.bias().defined()) in.push_back(g.initializer(conv.bias().label(), conv.bias().value()));
    std::string y = g.node("Conv", in, scope,
                           {{"kernel_shape", w.kernel}, {"strides", w.strides}, {"dilations", w.dilations}, {"pads", w.pads}});
    y = to_channels_last(y, 3, scope, g);
    y = emit_activation(*conv.activation(), y, scope, g);
    return {y, {w.out[0], w.out[1], k[3]}};
}

// MaxPool / AveragePool between Transposes. Padding never wins a max (ONNX pads with -inf) and
// is not counted in an average (count_include_pad = 0), as in xgrad and TensorFlow.
Value emit_pool(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g, const char* op) {
    const auto& pool = dynamic_cast<const nn::Pooling2D&>(layer);
    const Value& x = single_input(layer, inputs);
    require_rank(layer, x, 3, "(height, width, channels)");
    const std::string scope = layer_scope(layer);
    const auto& o = pool.options();
    const auto strides = o.strides[0] == 0 ? o.pool_size : o.strides;
    const Window w = window(x.shape, o.pool_size, strides, {1, 1}, o.padding);
    if (w.out[0] == 0 || w.out[1] == 0) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (" + layer.type_name() +
                         "): its window does not fit inputs " + shape_str(x.shape));
    }
    std::vector<Attribute> attrs{{"kernel_shape", w.kernel}, {"strides", w.strides}, {"pads", w.pads}};
    if (std::string(op) == "AveragePool") attrs.push_back({"count_include_pad", std::int64_t{0}});
    std::string y = g.node(op, {to_channels_first(x.name, 3, scope, g)}, scope, attrs);
    return {to_channels_last(y, 3, scope, g), {w.out[0], w.out[1], x.shape[2]}};
}

Value emit_max_pool(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::MaxPooling2D>(layer, "MaxPooling2D");
    return emit_pool(layer, inputs, g, "MaxPool");
}

Value emit_avg_pool(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::AveragePooling2D>(layer, "AveragePooling2D");
    return emit_pool(layer, inputs, g, "AveragePool");
}

// The mean over H and W, straight on NHWC: ReduceMean(axes = [1, 2], keepdims = 0). Opsets
// 13..17 take axes as an attribute (an input from 18 on).
Value emit_global_avg_pool(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::GlobalAveragePooling2D>(layer, "GlobalAveragePooling2D");
    const Value& x = single_input(layer, inputs);
    require_rank(layer, x, 3, "(height, width, channels)");
    const std::string y = g.node("ReduceMean", {x.name}, layer_scope(layer),
                                 {{"axes", Ints{1, 2}}, {"keepdims", std::int64_t{0}}});
    return {y, {x.shape[2]}};
}

Value emit_flatten(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    as<nn::Flatten>(layer, "Flatten");
    const Value& x = single_input(layer, inputs);
    const std::size_t n = std::accumulate(x.shape.begin(), x.shape.end(), std::size_t{1}, std::multiplies<>());
    return {g.node("Flatten", {x.name}, layer_scope(layer), {{"axis", std::int64_t{1}}}), {n}};
}

// Reshape to (0, target...): 0 keeps the (symbolic) batch axis.
Value emit_reshape(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& reshape = as<nn::Reshape>(layer, "Reshape");
    require_built(reshape);
    const Value& x = single_input(layer, inputs);
    const Shape& target = reshape.output_shape();
    const auto size = [](const Shape& s) {
        return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
    };
    const std::string scope = layer_scope(layer);
    if (size(target) != size(x.shape)) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (Reshape) makes " + shape_str(target) +
                         " but gets per-sample inputs " + shape_str(x.shape));
    }
    Ints shape{0};
    for (auto d : target) shape.push_back(static_cast<std::int64_t>(d));
    const std::string s = g.initializer_int64(scope + ".shape", shape, {static_cast<std::int64_t>(shape.size())});
    return {g.node("Reshape", {x.name, s}, scope), target};
}

// ONNX Dropout without training_mode is the identity, as xgrad's Dropout at inference; the
// node keeps the layer (and its rate) visible in Netron.
Value emit_dropout(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& dropout = as<nn::Dropout>(layer, "Dropout");
    const Value& x = single_input(layer, inputs);
    const std::string scope = layer_scope(layer);
    Array ratio = xt::xarray<float>(dropout.rate());
    const std::string r = g.initializer(scope + ".rate", ratio);
    return {g.node("Dropout", {x.name, r}, scope), x.shape};
}

// Inference form with the moving statistics: y = γ·(x − μ)/sqrt(σ² + ε) + β over the last axis.
// ONNX normalises axis 1, so inputs with spatial axes are transposed around it.
Value emit_batch_norm(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& bn = as<nn::BatchNormalization>(layer, "BatchNormalization");
    require_built(bn);
    const Value& x = single_input(layer, inputs);
    const std::string scope = layer_scope(layer);
    const std::size_t channels = bn.gamma().shape()[0];
    if (x.shape.empty() || x.shape.back() != channels) {
        throw ShapeError("onnx::export_model: layer '" + scope + "' (BatchNormalization) has " +
                         std::to_string(channels) + " channels but gets per-sample inputs " + shape_str(x.shape));
    }
    const std::size_t rank = x.shape.size();
    std::string in = rank > 1 ? to_channels_first(x.name, rank, scope, g) : x.name;
    std::string y = g.node("BatchNormalization",
                           {in, g.initializer(bn.gamma().label(), bn.gamma().value()),
                            g.initializer(bn.beta().label(), bn.beta().value()),
                            g.initializer(bn.moving_mean().label(), bn.moving_mean().value()),
                            g.initializer(bn.moving_variance().label(), bn.moving_variance().value())},
                           scope, {{"epsilon", bn.options().epsilon}, {"momentum", bn.options().momentum}});
    if (rank > 1) y = to_channels_last(y, rank, scope, g);
    return {y, x.shape};
}

// Gather(table, ids) on axis 0. xgrad's ids are floats holding integers; ONNX wants int64 ones.
Value emit_embedding(const nn::Module& layer, const std::vector<Value>& inputs, GraphBuilder& g) {
    const auto& emb = as<nn::Embedding>(layer, "Embedding");
    if (!emb.embeddings().defined()) {
        throw ValueError("onnx::export_model: layer '" + layer_scope(layer) +
                         "' (Embedding) has no table yet; run the model once before exporting");
    }
    const Value& x = single_input(layer, inputs);
    const std::string scope = layer_scope(layer);
    const std::string ids = g.node("Cast", {x.name}, scope, {{"to", std::int64_t{7}}});  // TensorProto::INT64
    const std::string table = g.initializer(emb.embeddings().label(), emb.embeddings().value());
    Shape out = x.shape;
    out.push_back(emb.embeddings().shape()[1]);
    return {g.node("Gather", {table, ids}, scope, {{"axis", std::int64_t{0}}}), out};
}

}  // namespace

void register_conv_layers(std::map<std::string, LayerExporter>& table) {
    table["Conv2D"] = {emit_conv2d, [](const nn::Module& m) -> std::optional<Shape> {
                           const Shape& s = as<nn::Conv2D>(m, "Conv2D").input_shape();
                           if (s.empty()) return std::nullopt;
                           return s;
                       }};
    table["MaxPooling2D"] = {emit_max_pool};
    table["AveragePooling2D"] = {emit_avg_pool};
    table["GlobalAveragePooling2D"] = {emit_global_avg_pool};
    table["Flatten"] = {emit_flatten};
    table["Reshape"] = {emit_reshape};
    table["Dropout"] = {emit_dropout};
    table["BatchNormalization"] = {emit_batch_norm};
    table["Embedding"] = {emit_embedding};
}

}  // namespace xgrad::onnx
