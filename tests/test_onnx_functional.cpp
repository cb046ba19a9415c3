// ONNX export of functional models (nn::Input, merge layers, several inputs and outputs):
// graph structure, and round trips through ONNX Runtime against xgrad's predict.
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
namespace ort = xgrad::test::ort;
namespace xonnx = xgrad::onnx;

namespace {

// Two inputs, a residual add, a concatenation and two named outputs (docs/models.md).
nn::Model two_inputs_two_outputs() {
    manual_seed(21);
    auto a = nn::Input({8}, "a");
    auto b = nn::Input({4}, "b");
    auto h = nn::Dense(6, "relu")(a);
    auto r = nn::Dense(6, "tanh")(h);
    auto z = nn::concatenate({nn::add({h, r}), nn::Dense(5, "relu")(b)});
    auto mixed = nn::Dense(7, "relu")(z);
    auto label = nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Softmax, .name = "label"})(mixed);
    auto product = nn::Dense(nn::DenseOptions{.units = 1, .name = "product"})(mixed);
    return nn::Model({a, b}, {label, product}, "two_inputs");
}

// One input through every merge layer: subtract, multiply, average of three, add of three.
nn::Model every_merge() {
    manual_seed(22);
    auto x = nn::Input({5}, "x");
    auto p = nn::Dense(4, "tanh")(x);
    auto q = nn::Dense(4, "sigmoid")(x);
    auto s = nn::Dense(4, "relu")(x);
    auto d = nn::subtract({p, q});
    auto m = nn::multiply({p, q, s});
    auto avg = nn::average({d, m, s});
    auto sum = nn::add({avg, d, p});
    auto both = nn::concatenate({sum, m}, 1);
    return nn::Model({x}, {nn::Dense(3, "softmax")(both)}, "merges");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_functional)

BOOST_AUTO_TEST_CASE(inputs_outputs_and_merge_nodes_come_from_the_model) {
    nn::Model model = two_inputs_two_outputs();
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(xonnx::export_to_string(model)));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_REQUIRE_EQUAL(m.graph().input_size(), 2);
    BOOST_TEST(m.graph().input(0).name() == "a");
    BOOST_TEST(m.graph().input(1).name() == "b");
    BOOST_TEST(m.graph().input(1).type().tensor_type().shape().dim(1).dim_value() == 4);
    BOOST_REQUIRE_EQUAL(m.graph().output_size(), 2);
    BOOST_TEST(m.graph().output(0).name() == "label");
    BOOST_TEST(m.graph().output(1).name() == "product");
    BOOST_TEST(m.graph().output(1).type().tensor_type().shape().dim(0).dim_param() == "batch");
    std::vector<std::string> merges;
    for (const auto& n : m.graph().node()) {
        if (n.op_type() == "Add" || n.op_type() == "Concat") merges.push_back(n.name());
    }
    BOOST_TEST(merges == (std::vector<std::string>{"add_1/Add", "concatenate_1/Concat"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_functional_model_can_be_a_layer) {
    nn::Model inner = every_merge();
    nn::Sequential outer("outer");
    outer.add(nn::Dense(5, "relu", 3));
    outer.add(std::make_shared<nn::Model>(inner));
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(xonnx::export_to_string(outer)));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_TEST(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == 3);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onnx_functional_runtime, *boost::unit_test::precondition(ort::available))

BOOST_AUTO_TEST_CASE(two_inputs_two_outputs_match_predict) {
    nn::Model model = two_inputs_two_outputs();
    const std::vector<Array> xs{xgrad::test::mixed({6, 8}, -1.f, 1.f), xgrad::test::mixed({6, 4}, -2.f, 2.f)};
    BOOST_TEST(ort::round_trip_all(model, xs) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(every_merge_layer_matches_predict) {
    nn::Model model = every_merge();
    BOOST_TEST(ort::round_trip(model, xgrad::test::mixed({5, 5}, -1.5f, 1.5f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_SUITE_END()
