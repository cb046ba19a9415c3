// ONNX export of functional models (nn::Input, merge layers, several inputs and outputs):
// graph structure, and round trips through ONNX Runtime against xgrad's predict.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include "onnx_runtime.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;
namespace ort = xgrad::test::ort;
namespace xonnx = xgrad::onnx;
using xgrad::test::files::Says;

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

// The encoder of docs/models.md: a trunk and two heads, probabilities (3) and a tanh code (2);
// with `two_outputs` false, the probabilities alone.
std::shared_ptr<nn::Model> make_encoder(bool two_outputs = true) {
    auto x = nn::Input({4}, "x");
    auto h = nn::Dense(nn::DenseOptions{.units = 6, .activation = nn::Activation::Tanh, .name = "trunk"})(x);
    auto probs = nn::Dense(nn::DenseOptions{.units = 3, .activation = nn::Activation::Softmax, .name = "probs"})(h);
    std::vector<nn::SymbolicTensor> outs{probs};
    if (two_outputs) {
        outs.push_back(nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Tanh, .name = "code"})(h));
    }
    return std::make_shared<nn::Model>(std::vector<nn::SymbolicTensor>{x}, outs, "encoder");
}

// The encoder's probabilities as output 0 as they are, its code (output 1) through a head
// "value", and both outputs joined into a head "both": one call read at both slots.
nn::Model nested_two_outputs() {
    manual_seed(23);
    auto encoder = make_encoder();
    auto u = nn::Input({4}, "u");
    std::vector<nn::SymbolicTensor> outs = encoder->call_all(u);
    auto value = nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(outs[1]);
    auto both = nn::Dense(nn::DenseOptions{.units = 2, .name = "both"})(nn::concatenate({outs[1], outs[0]}));
    return nn::Model({u}, {outs[0], value, both}, "outer");
}

// One encoder called on two inputs; `two_outputs` reads both calls' code (output 1), else a
// one-output encoder (probabilities only) is called twice.
nn::Model siamese(bool two_outputs) {
    manual_seed(24);
    std::shared_ptr<nn::Model> encoder = make_encoder(two_outputs);
    auto u1 = nn::Input({4}, "u1");
    auto u2 = nn::Input({4}, "u2");
    const std::size_t slot = two_outputs ? 1 : 0;
    auto a = encoder->call_all(u1).at(slot);
    auto b = encoder->call_all(u2).at(slot);
    return nn::Model({u1, u2}, {nn::Dense(nn::DenseOptions{.units = 1, .name = "value"})(nn::subtract({a, b}))},
                     "siamese");
}

// One Dense object called on two inputs (shared weights), each result through one nested
// encoder (probabilities only) called twice, joined by a head: every weight read twice. Biases
// are set non-zero so that a call reading the wrong (or no) bias would show in the round trip.
nn::Model shared_layers() {
    manual_seed(25);
    std::shared_ptr<nn::Model> encoder = make_encoder(false);
    auto shared = std::make_shared<nn::Dense>(
        nn::DenseOptions{.units = 4, .activation = nn::Activation::Relu, .name = "shared"});
    auto u1 = nn::Input({6}, "u1");
    auto u2 = nn::Input({6}, "u2");
    auto a = (*encoder)((*shared)(u1));
    auto b = (*encoder)((*shared)(u2));
    auto head = nn::Dense(nn::DenseOptions{.units = 2, .name = "head"})(nn::concatenate({a, b}));
    nn::Model model({u1, u2}, {head}, "shared_weights");
    float k = 0.f;
    for (auto& [name, p] : model.named_parameters()) {
        if (name.find("bias") != std::string::npos) p.data() = xgrad::test::ramp({p.size()}, -0.3f + (k += 0.1f), 0.4f);
    }
    return model;
}

// The name of the node that produces value `name` ("" when none does).
std::string producer(const ::onnx::ModelProto& m, const std::string& name) {
    for (const auto& n : m.graph().node()) {
        for (const auto& out : n.output()) {
            if (out == name) return n.name();
        }
    }
    return "";
}

const ::onnx::NodeProto* node_named(const ::onnx::ModelProto& m, const std::string& name) {
    for (const auto& n : m.graph().node()) {
        if (n.name() == name) return &n;
    }
    return nullptr;
}

// The names of the nodes, and of the initializers, in file order.
std::vector<std::string> node_names(const ::onnx::ModelProto& m) {
    std::vector<std::string> v;
    for (const auto& n : m.graph().node()) v.push_back(n.name());
    return v;
}

std::vector<std::string> initializer_names(const ::onnx::ModelProto& m) {
    std::vector<std::string> v;
    for (const auto& t : m.graph().initializer()) v.push_back(t.name());
    return v;
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

BOOST_AUTO_TEST_CASE(a_nested_model_with_two_outputs_is_emitted_once_and_read_by_slot) {
    nn::Model outer = nested_two_outputs();
    const auto m = [&] {
        ::onnx::ModelProto p;
        BOOST_REQUIRE(p.ParseFromString(xonnx::export_to_string(outer)));
        return p;
    }();
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    // The encoder's layers once each, though its two outputs are read three times.
    const std::vector<std::string> nodes = node_names(m);
    for (const char* gemm : {"encoder.trunk/Gemm", "encoder.probs/Gemm", "encoder.code/Gemm"}) {
        BOOST_TEST(std::count(nodes.begin(), nodes.end(), gemm) == 1, gemm);
    }
    const auto in_encoder = [](const std::string& n) { return n.rfind("encoder.", 0) == 0; };
    BOOST_TEST(std::count_if(nodes.begin(), nodes.end(), in_encoder) == 6);  // 3 Gemm, Tanh, Softmax, Tanh
    // Output 0 is the encoder's slot 0, the probabilities' Softmax; "value" reads slot 1, the code's Tanh.
    BOOST_REQUIRE_EQUAL(m.graph().output_size(), 3);
    BOOST_TEST(m.graph().output(0).name() == "encoder");
    BOOST_TEST(m.graph().output(0).type().tensor_type().shape().dim(1).dim_value() == 3);
    BOOST_TEST(producer(m, "encoder") == "encoder.probs/Softmax");
    const auto* value = node_named(m, "value/Gemm");
    BOOST_REQUIRE(value != nullptr);
    BOOST_TEST(producer(m, value->input(0)) == "encoder.code/Tanh");
    // The concatenation reads slot 1 then slot 0 of the same call.
    const auto* concat = node_named(m, "concatenate_1/Concat");
    BOOST_REQUIRE(concat != nullptr);
    BOOST_REQUIRE_EQUAL(concat->input_size(), 2);
    BOOST_TEST(producer(m, concat->input(0)) == "encoder.code/Tanh");
    BOOST_TEST(concat->input(1) == "encoder");  // the probabilities, renamed as graph output 0
}

BOOST_AUTO_TEST_CASE(a_nested_model_called_twice_is_written_per_call_reading_one_copy_of_its_weights) {
    // Each call's nodes are written, reading the one copy of the weights, for a one-output
    // nested model (as for any layer called twice) and for one with two outputs alike.
    for (const bool two_outputs : {false, true}) {
        nn::Model model = siamese(two_outputs);
        ::onnx::ModelProto m;
        BOOST_REQUIRE(m.ParseFromString(xonnx::export_to_string(model)));
        BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
        const std::string inner = "encoder";
        const std::vector<std::string> nodes = node_names(m), inits = initializer_names(m);
        BOOST_TEST_CONTEXT("two outputs: " << two_outputs) {
            BOOST_TEST(std::count(nodes.begin(), nodes.end(), inner + ".trunk/Gemm") == 1);
            BOOST_TEST(std::count(nodes.begin(), nodes.end(), inner + ".trunk/Gemm_1") == 1);
            BOOST_TEST(std::count(inits.begin(), inits.end(), inner + ".trunk.kernel") == 1);
            BOOST_TEST(std::count(inits.begin(), inits.end(), inner + ".trunk.kernel_1") == 0);
            // Each Sub operand comes from its own call.
            const auto* sub = node_named(m, "subtract_1/Sub");
            BOOST_REQUIRE(sub != nullptr);
            const std::string head = two_outputs ? ".code/Tanh" : ".probs/Softmax";
            BOOST_TEST(producer(m, sub->input(0)) == inner + head);
            BOOST_TEST(producer(m, sub->input(1)) == inner + head + "_1");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_shared_layer_and_a_nested_model_called_twice_write_each_weight_once) {
    nn::Model model = shared_layers();
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(xonnx::export_to_string(model)));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    // Exactly one initializer per weight of the model, named by its path, whatever the calls.
    std::vector<std::string> weights;
    for (const auto& [name, p] : model.named_parameters()) weights.push_back(p.label());
    std::vector<std::string> inits = initializer_names(m);
    std::sort(weights.begin(), weights.end());
    std::sort(inits.begin(), inits.end());
    BOOST_TEST(weights.size() == 8u);  // shared, encoder.trunk, encoder.probs, head: kernel and bias each
    BOOST_TEST(inits == weights, boost::test_tools::per_element());
    // Two nodes per shared Gemm (one per call), both reading the one kernel and bias.
    for (const std::string layer : {"shared", "encoder.trunk", "encoder.probs"}) {
        const auto* first = node_named(m, layer + "/Gemm");
        const auto* second = node_named(m, layer + "/Gemm_1");
        BOOST_TEST_CONTEXT(layer) {
            BOOST_REQUIRE(first != nullptr);
            BOOST_REQUIRE(second != nullptr);
            BOOST_TEST(first->input(0) != second->input(0));  // each call on its own input
            BOOST_TEST(first->input(1) == layer + ".kernel");
            BOOST_TEST(second->input(1) == layer + ".kernel");
            BOOST_TEST(first->input(2) == layer + ".bias");
            BOOST_TEST(second->input(2) == layer + ".bias");
        }
    }
}

BOOST_AUTO_TEST_CASE(output_names_rename_a_functional_models_outputs) {
    nn::Model outer = nested_two_outputs();
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(xonnx::export_to_string(outer, {.output_names = {"p", "v", "b"}})));
    BOOST_REQUIRE_EQUAL(m.graph().output_size(), 3);
    BOOST_TEST(m.graph().output(0).name() == "p");
    BOOST_TEST(m.graph().output(2).name() == "b");
    BOOST_TEST(producer(m, "v") == "value/Gemm");
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(outer, {.output_names = {"p", "v"}}), ValueError,
                          Says({"onnx::export_model: model 'outer' (Functional) has 3 outputs",
                                "ExportOptions::output_names gives 2"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(outer, {.output_names = {"p", "u", "b"}}), ValueError,
                          Says({"model 'outer' has two inputs or outputs named 'u'"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(onnx_functional_runtime, *boost::unit_test::precondition(ort::available))

BOOST_AUTO_TEST_CASE(two_inputs_two_outputs_match_predict) {
    nn::Model model = two_inputs_two_outputs();
    const std::vector<Array> xs{xgrad::test::mixed({6, 8}, -1.f, 1.f), xgrad::test::mixed({6, 4}, -2.f, 2.f)};
    BOOST_TEST(ort::round_trip_all(model, xs) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_nested_model_with_two_outputs_matches_predict) {
    // Batch 5: the nested model was called (and built) on a batch of 1.
    nn::Model outer = nested_two_outputs();
    BOOST_TEST(ort::round_trip_all(outer, {xgrad::test::mixed({5, 4}, -1.5f, 1.5f)}) <= ort::kTolerance);
    nn::Model twice = siamese(true);
    const std::vector<Array> xs{xgrad::test::mixed({5, 4}, -1.f, 1.f), xgrad::test::mixed({5, 4}, -2.f, 2.f)};
    BOOST_TEST(ort::round_trip_all(twice, xs) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(shared_weights_written_once_match_predict) {
    nn::Model model = shared_layers();
    const std::vector<Array> xs{xgrad::test::mixed({5, 6}, -1.f, 1.f), xgrad::test::mixed({5, 6}, -2.f, 1.5f)};
    BOOST_TEST(ort::round_trip_all(model, xs) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(every_merge_layer_matches_predict) {
    nn::Model model = every_merge();
    BOOST_TEST(ort::round_trip(model, xgrad::test::mixed({5, 5}, -1.5f, 1.5f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_SUITE_END()
