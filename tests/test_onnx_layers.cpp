// ONNX export of the convnet layers: graph structure (channels-last handled by Transposes,
// kernels in ONNX's order) and round trips through ONNX Runtime against xgrad's predict.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <boost/test/unit_test.hpp>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include "onnx_runtime.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;
using xgrad::test::files::TempDir;
namespace ort = xgrad::test::ort;
namespace xonnx = xgrad::onnx;

namespace {

std::vector<std::string> op_types(const std::string& bytes) {
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(bytes));
    std::vector<std::string> ops;
    for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
    return ops;
}

// Moving statistics that are not the defaults, so the inference form is really exercised.
void set_moving_statistics(const nn::BatchNormalization& bn) {
    Tensor mean = bn.moving_mean(), var = bn.moving_variance(), gamma = bn.gamma(), beta = bn.beta();
    const std::size_t c = mean.size();
    mean.data() = xgrad::test::ramp({c}, -0.5f, 0.5f);
    var.data() = xgrad::test::ramp({c}, 0.5f, 2.f);
    gamma.data() = xgrad::test::ramp({c}, 0.8f, 1.3f);
    beta.data() = xgrad::test::ramp({c}, -0.2f, 0.3f);
}

// Dense, then BatchNormalization (synchronized or not) with moving statistics of its own.
nn::Sequential bn_net(bool synchronized) {
    manual_seed(15);
    nn::Sequential net("bn_net");
    net.add(nn::Dense(4, "linear", 3));
    net.add(nn::BatchNormalization({.synchronized = synchronized}));
    net.build({3});
    set_moving_statistics(dynamic_cast<const nn::BatchNormalization&>(*net.layers().at(1)));
    return net;
}

nn::Sequential small_convnet() {
    manual_seed(11);
    nn::Sequential net("convnet");
    net.add(nn::Conv2D(4, {3, 3}, "relu", {.input_shape = {8, 7, 2}}));
    net.add(nn::MaxPooling2D({2, 2}));
    net.add(nn::Flatten());
    net.add(nn::Dense(3, "softmax"));
    return net;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_layers_structure)

BOOST_AUTO_TEST_CASE(conv_pool_flatten_dense_graph) {
    nn::Sequential net = small_convnet();
    const std::string bytes = xonnx::export_to_string(net);
    BOOST_TEST(op_types(bytes) == (std::vector<std::string>{"Transpose", "Conv", "Transpose", "Relu", "Transpose",
                                                              "MaxPool", "Transpose", "Flatten", "Gemm", "Softmax"}),
               boost::test_tools::per_element());
    ::onnx::ModelProto m;
    m.ParseFromString(bytes);
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    // The first layer tells the input shape; the kernel is stored as (F, C, kh, kw).
    BOOST_TEST(m.graph().input(0).type().tensor_type().shape().dim_size() == 4);
    BOOST_TEST(m.graph().input(0).type().tensor_type().shape().dim(1).dim_value() == 8);
    for (const auto& t : m.graph().initializer()) {
        if (t.name() != "conv2d_1.kernel") continue;
        BOOST_TEST(std::vector<std::int64_t>(t.dims().begin(), t.dims().end()) == (std::vector<std::int64_t>{4, 2, 3, 3}),
                   boost::test_tools::per_element());
    }
    BOOST_TEST(m.graph().node(1).name() == "conv2d_1/Conv");
    BOOST_TEST(m.graph().node(5).name() == "max_pooling2d_1/MaxPool");
}

BOOST_AUTO_TEST_CASE(layers_without_their_input_shape_need_it_from_the_options) {
    nn::Sequential net;
    net.add(nn::Embedding(10, 4));
    net.add(nn::Flatten());
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net), ValueError,
                          xgrad::test::files::Says({"input shape of model", "ExportOptions::input_shape"}));
}

BOOST_AUTO_TEST_CASE(wrong_input_rank_for_conv_names_the_layer) {
    nn::Sequential net = small_convnet();
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_shape = {8, 7}}), ShapeError,
                          xgrad::test::files::Says({"layer 'conv2d_1' (Conv2D)", "(height, width, channels)", "(8x7)"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_shape = {8, 7, 3}}), ShapeError,
                          xgrad::test::files::Says({"layer 'conv2d_1' (Conv2D)", "2 channels", "(8x7x3)"}));
}

BOOST_AUTO_TEST_CASE(synchronized_batch_norm_exports_like_the_ordinary_one) {
    // `synchronized` changes training only (the global batch's statistics across processes);
    // at inference both use the moving statistics, so the exported model is the same bytes.
    nn::Sequential synchronized = bn_net(true), ordinary = bn_net(false);
    const std::string bytes = xonnx::export_to_string(synchronized);
    BOOST_TEST(op_types(bytes) == (std::vector<std::string>{"Gemm", "BatchNormalization"}), boost::test_tools::per_element());
    BOOST_TEST(bytes == xonnx::export_to_string(ordinary));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onnx_layers_runtime, *boost::unit_test::precondition(ort::available))

BOOST_AUTO_TEST_CASE(conv_valid_max_pool_flatten_dense) {
    nn::Sequential net = small_convnet();
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({3, 8, 7, 2}, -1.f, 1.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(conv_same_strided_avg_pool_same_global_pool) {
    manual_seed(12);
    nn::Sequential net;
    net.add(nn::Conv2D(3, {3, 3}, "tanh", {.strides = {2, 2}, .padding = Padding::Same, .input_shape = {7, 5, 2}}));
    net.add(nn::AveragePooling2D({2, 2}, {1, 1}, Padding::Same));
    net.add(nn::MaxPooling2D({3, 2}, {1, 1}, Padding::Same));
    net.add(nn::GlobalAveragePooling2D());
    net.add(nn::Dense(2, "sigmoid"));
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({4, 7, 5, 2}, -2.f, 2.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(dilated_conv_without_bias_batch_norm_reshape) {
    manual_seed(13);
    nn::Sequential net;
    net.add(nn::Conv2D(4, {2, 3}, "linear",
                       {.dilation_rate = {2, 1}, .use_bias = false, .input_shape = {9, 8, 3}}));
    net.add(nn::BatchNormalization());
    net.add(nn::Reshape({-1, 4}));
    net.add(nn::Flatten());
    net.add(nn::Dense(5, "relu"));
    net.add(nn::BatchNormalization());
    for (const auto& layer : net.layers()) {
        if (auto bn = std::dynamic_pointer_cast<nn::BatchNormalization>(layer)) set_moving_statistics(*bn);
    }
    BOOST_TEST(op_types(xonnx::export_to_string(net))[1] == "Conv");
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({2, 9, 8, 3}, -1.f, 1.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(synchronized_batch_norm_runs_like_the_ordinary_one) {
    nn::Sequential net = bn_net(true);
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({5, 3}, -1.f, 1.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(dropout_is_the_identity_at_inference) {
    manual_seed(14);
    nn::Sequential net;
    net.add(nn::Dense(6, "relu", 4));
    net.add(nn::Dropout(0.5f));
    net.add(nn::Dense(2, "softmax"));
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({5, 4}, -1.f, 1.f)) <= ort::kTolerance);
    // A model that is only a Dropout still has an output (an Identity).
    nn::Sequential only("only_dropout");
    only.add(nn::Dropout(0.25f));
    only.build({3});
    BOOST_TEST(ort::round_trip(only, xgrad::test::mixed({2, 3}, -1.f, 1.f), {.input_shape = {3}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(embedding_gathers_integer_ids) {
    manual_seed(15);
    nn::Sequential net;
    net.add(nn::Embedding(10, 4));
    net.add(nn::Flatten());
    net.add(nn::Dense(3, "softmax"));
    net.build({5});
    Array ids = Array::from_shape({3, 5});
    for (std::size_t i = 0; i < ids.size(); ++i) ids.data()[i] = float((i * 7) % 10);
    BOOST_TEST(ort::round_trip(net, ids, {.input_shape = {5}}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_SUITE_END()
