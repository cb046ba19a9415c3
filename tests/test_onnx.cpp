// ONNX export: the file's structure read back with ONNX's own classes and checker, and every
// error a user can hit. Round trips through ONNX Runtime are in test_onnx_runtime.cpp.
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <filesystem>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include "onnx_models.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::files::TempDir;
namespace fs = std::filesystem;
// `onnx` alone would be ambiguous here: xgrad::onnx (using namespace xgrad) and ONNX's ::onnx.
namespace xonnx = xgrad::onnx;

namespace {

::onnx::ModelProto parse(const std::string& bytes) {
    ::onnx::ModelProto m;
    BOOST_REQUIRE(m.ParseFromString(bytes));
    return m;
}

// "batch,3" for a value's declared shape (dim_param or dim_value per axis).
std::string dims_of(const ::onnx::ValueInfoProto& v) {
    std::string s;
    for (const auto& d : v.type().tensor_type().shape().dim()) {
        s += (s.empty() ? "" : ",") + (d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value()));
    }
    return s;
}

const ::onnx::TensorProto& initializer(const ::onnx::ModelProto& m, const std::string& name) {
    for (const auto& t : m.graph().initializer()) {
        if (t.name() == name) return t;
    }
    BOOST_FAIL("no initializer " << name);
    throw std::logic_error("unreachable");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_export)

BOOST_AUTO_TEST_CASE(mlp_structure_names_shapes_and_weights) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(3, 4, 2, "relu", "softmax");
    const auto m = parse(xonnx::export_to_string(net));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_TEST(m.opset_import_size() == 1);
    BOOST_TEST(m.opset_import(0).domain() == "");
    BOOST_TEST(m.opset_import(0).version() == 17);
    BOOST_TEST(m.producer_name() == "xgrad");
    BOOST_TEST(m.graph().name() == net.name());  // default-named: sequential_<n>
    BOOST_TEST(net.name().rfind("sequential_", 0) == 0u, net.name());

    BOOST_REQUIRE_EQUAL(m.graph().input_size(), 1);
    BOOST_TEST(m.graph().input(0).name() == "input");
    BOOST_TEST(dims_of(m.graph().input(0)) == "batch,3");
    BOOST_REQUIRE_EQUAL(m.graph().output_size(), 1);
    BOOST_TEST(m.graph().output(0).name() == "output");
    BOOST_TEST(dims_of(m.graph().output(0)) == "batch,2");

    std::vector<std::string> nodes, ops;
    for (const auto& n : m.graph().node()) {
        nodes.push_back(n.name());
        ops.push_back(n.op_type());
    }
    BOOST_TEST(nodes == (std::vector<std::string>{"dense_1/Gemm", "dense_1/Relu", "dense_2/Gemm", "dense_2/Softmax"}),
               boost::test_tools::per_element());
    BOOST_TEST(m.graph().node(0).input(0) == "input");
    BOOST_TEST(m.graph().node(3).output(0) == "output");
    BOOST_TEST(m.graph().node(3).attribute(0).name() == "axis");
    BOOST_TEST(m.graph().node(3).attribute(0).i() == -1);

    // The initializers are the trained weights, bit for bit, under the parameters' names.
    for (const auto& [name, p] : net.named_parameters()) {
        const auto& t = initializer(m, name);
        BOOST_TEST(t.data_type() == ::onnx::TensorProto::FLOAT);
        BOOST_TEST(std::vector<std::int64_t>(t.dims().begin(), t.dims().end()) ==
                   std::vector<std::int64_t>(p.shape().begin(), p.shape().end()), boost::test_tools::per_element());
        BOOST_REQUIRE_EQUAL(t.raw_data().size(), p.size() * sizeof(float));
        BOOST_TEST(std::memcmp(t.raw_data().data(), p.value().data(), t.raw_data().size()) == 0);
    }
    BOOST_TEST(m.graph().initializer_size() == 4);
}

BOOST_AUTO_TEST_CASE(options_rename_input_output_and_batch_axis) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(3, 4, 2, "tanh", "linear");
    const auto m = parse(xonnx::export_to_string(
        net, {.opset = 13, .input_name = "pixels", .output_name = "scores", .batch_dim = "N", .doc_string = "demo"}));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_TEST(m.opset_import(0).version() == 13);
    BOOST_TEST(m.graph().input(0).name() == "pixels");
    BOOST_TEST(dims_of(m.graph().input(0)) == "N,3");
    BOOST_TEST(m.graph().output(0).name() == "scores");
    BOOST_TEST(dims_of(m.graph().output(0)) == "N,2");
    BOOST_TEST(m.doc_string() == "demo");
    // A linear last layer ends with its Gemm.
    BOOST_TEST(m.graph().node(m.graph().node_size() - 1).op_type() == "Gemm");
    BOOST_TEST(m.graph().node(m.graph().node_size() - 1).output(0) == "scores");
}

BOOST_AUTO_TEST_CASE(dense_without_bias_is_a_two_input_gemm) {
    nn::Sequential net;
    net.add(nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Sigmoid, .input_dim = 3, .use_bias = false}));
    const auto m = parse(xonnx::export_to_string(net));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_TEST(m.graph().node(0).op_type() == "Gemm");
    BOOST_TEST(m.graph().node(0).input_size() == 2);
    BOOST_TEST(m.graph().initializer_size() == 1);
    BOOST_TEST(m.graph().node(1).op_type() == "Sigmoid");
}

BOOST_AUTO_TEST_CASE(a_layer_alone_and_a_nested_sequential_export) {
    nn::Dense layer(3, "relu", 5);
    const auto single = parse(xonnx::export_to_string(layer));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(single));
    BOOST_TEST(dims_of(single.graph().output(0)) == "batch,3");

    auto inner = std::make_shared<nn::Sequential>("block");
    inner->add(nn::Dense(4, "tanh", 3));
    inner->add(nn::Dense(4, "relu"));
    nn::Sequential outer("outer");
    outer.add(inner);
    outer.add(nn::Dense(2, "softmax"));
    const auto m = parse(xonnx::export_to_string(outer));
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(m));
    BOOST_TEST(m.graph().node(0).name() == "block.dense_1/Gemm");
    BOOST_TEST(m.graph().node_size() == 6);
    BOOST_TEST(dims_of(m.graph().output(0)) == "batch,2");
}

BOOST_AUTO_TEST_CASE(file_is_written_atomically_and_passes_the_checker) {
    TempDir dir;
    nn::Sequential net = xgrad::test::onnx_models::mlp(6, 5, 3, "relu", "softmax");
    const std::string path = dir / "model.onnx";
    xonnx::export_model(net, path);
    BOOST_CHECK_NO_THROW(::onnx::checker::check_model(path));
    BOOST_TEST(xgrad::test::files::read_bytes(path).size() == xonnx::export_to_string(net).size());
    // Overwriting leaves only the new file: no temporaries beside it.
    xonnx::export_model(net, path);
    std::size_t entries = 0;
    for (const auto& e : fs::directory_iterator(dir.path)) entries += e.is_regular_file();
    BOOST_TEST(entries == 1u);
}

// Debian's python3-onnx: a second reader of the file, with the checker's full mode (which
// also runs shape inference) and the model's input/output shapes as Python sees them.
BOOST_AUTO_TEST_CASE(python_onnx_reads_and_checks_the_file,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                         const bool ok = std::system("/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1") == 0;
                         boost::test_tools::assertion_result r(ok);
                         if (!ok) {
                             r.message() << "python3-onnx is not installed: Python check skipped (scripts/setup.sh onnx)";
                             std::cerr << "SKIPPED: python3-onnx is not installed (scripts/setup.sh onnx)\n";
                         }
                         return r;
                     })) {
    TempDir dir;
    nn::Sequential net = xgrad::test::onnx_models::mlp(6, 5, 3, "relu", "softmax");
    const std::string path = dir / "model.onnx", out = dir / "python.txt";
    xonnx::export_model(net, path);
    const std::string script =
        "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
        "d = lambda v: ','.join(x.dim_param or str(x.dim_value) for x in v.type.tensor_type.shape.dim); "
        "print(m.graph.input[0].name, d(m.graph.input[0]), m.graph.output[0].name, d(m.graph.output[0]), "
        "len(m.graph.initializer), m.opset_import[0].version)";
    const int rc = std::system(("/usr/bin/python3 -c \"" + script + "\" '" + path + "' > '" + out + "' 2>&1").c_str());
    const auto bytes = xgrad::test::files::read_bytes(out);
    const std::string printed(bytes.begin(), bytes.end());
    BOOST_TEST_INFO("python printed: " << printed);
    BOOST_TEST(rc == 0);
    BOOST_TEST(printed == "input batch,6 output batch,3 4 17\n");
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A layer without an exporter, traced: y = 2x.
class Doubler : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x * 2.f; }
    std::string type_name() const override { return "Doubler"; }
};

// A layer without an exporter whose forward uses an op the traced export does not map.
class Halver : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return slice(x, 1, 0, x.shape()[1] / 2); }
    std::string type_name() const override { return "Halver"; }
};

// A layer whose (test) exporter declares a wrong output shape.
class Misdeclared : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "Misdeclared"; }
};

// A layer whose exporter only says how to emit several outputs (emit_all).
class Twin : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x; }
    std::string type_name() const override { return "Twin"; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_errors)

BOOST_AUTO_TEST_CASE(a_layer_without_exporter_is_traced) {
    // No exporter is registered for Doubler: its forward is traced, 2x becomes Mul(x, 2).
    nn::Sequential net;
    net.add(nn::Dense(4, "relu", 3));
    net.add(Doubler());
    const auto m = parse(xonnx::export_to_string(net));
    BOOST_REQUIRE_EQUAL(m.graph().node_size(), 3);
    const auto& mul = m.graph().node(2);
    BOOST_TEST(mul.op_type() == "Mul");
    BOOST_TEST(mul.name() == "doubler_1/Mul");
    BOOST_TEST(mul.input(0) == m.graph().node(1).output(0));
    BOOST_TEST(mul.output(0) == "output");
    const auto& two = initializer(m, mul.input(1));
    BOOST_TEST(two.dims_size() == 0);
    float v = 0.f;
    BOOST_REQUIRE_EQUAL(two.raw_data().size(), sizeof v);
    std::memcpy(&v, two.raw_data().data(), sizeof v);
    BOOST_TEST(v == 2.f);
}

BOOST_AUTO_TEST_CASE(a_layer_the_trace_cannot_follow_is_named) {
    nn::Sequential net;
    net.add(nn::Dense(4, "relu", 3));
    net.add(Halver());
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net), ValueError,
                          xgrad::test::files::Says({"onnx::export_model", "module 'halver_1' (Halver)",
                                                    "op 'slice' on (3x4)", "supported: ", "register_layer_exporter"}));
    TempDir dir;
    BOOST_CHECK_THROW(xonnx::export_model(net, dir / "x.onnx"), ValueError);
    BOOST_TEST(!fs::exists(dir / "x.onnx"));
}

BOOST_AUTO_TEST_CASE(unknown_input_shape_and_unbuilt_models) {
    nn::Sequential net;
    net.add(nn::Dense(4, "relu"));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net), ValueError,
                          xgrad::test::files::Says({"input shape of model '" + net.name() + "'", "unknown", "input_shape"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_shape = {3}}), ValueError,
                          xgrad::test::files::Says({"model '" + net.name() + "' (Sequential) is not built"}));
    nn::Sequential empty("empty");
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(empty, {.input_shape = {3}}), ValueError,
                          has_message{"'empty'"});
}

BOOST_AUTO_TEST_CASE(wrong_input_shape_names_layer_and_shapes) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(3, 4, 2, "relu", "softmax");
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_shape = {5}}), ShapeError,
                          xgrad::test::files::Says({"layer 'dense_1' (Dense)", "(3)", "(5)"}));
}

BOOST_AUTO_TEST_CASE(bad_options) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(3, 4, 2, "relu", "softmax");
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.opset = 12}), ValueError,
                          xgrad::test::files::Says({"opset 12", "13..17"}));
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.opset = 18}), ValueError, has_message{"opset 18"});
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.input_name = "x", .output_name = "x"}), ValueError,
                          has_message{"both 'x'"});
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net, {.batch_dim = ""}), ValueError, has_message{"batch_dim"});
}

BOOST_AUTO_TEST_CASE(unwritable_path_is_an_io_error_naming_it) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(3, 4, 2, "relu", "softmax");
    const std::string path = "/nonexistent-xgrad-dir/model.onnx";
    BOOST_CHECK_EXCEPTION(xonnx::export_model(net, path), IoError,
                          xgrad::test::files::Says({"onnx::export_model", path}));
}

BOOST_AUTO_TEST_CASE(a_broken_exporter_is_caught_by_the_checker) {
    // An exporter that declares the wrong output shape: strict shape inference rejects the
    // graph, so no invalid file is ever written.
    xonnx::register_layer_exporter("Misdeclared", {[](const nn::Module& layer, const std::vector<xonnx::Value>& in,
                                                 xonnx::GraphBuilder& g) -> xonnx::Value {
        const std::string y = g.node("Identity", {in[0].name}, xonnx::layer_scope(layer));
        return {y, {in[0].shape[0] + 1}};
    }});
    nn::Sequential net;
    net.add(nn::Dense(4, "relu", 3));
    net.add(Misdeclared());
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net), ValueError,
                          xgrad::test::files::Says({"ONNX's checker rejects the exported graph"}));
    BOOST_CHECK_EXCEPTION(xonnx::register_layer_exporter("", {}), ValueError, has_message{"empty layer type"});
    BOOST_CHECK_EXCEPTION(xonnx::register_layer_exporter("Doubler", {}), ValueError, has_message{"no emit function"});
}

BOOST_AUTO_TEST_CASE(an_exporter_with_only_emit_all_also_answers_emit) {
    // Registration fills emit from emit_all, so a caller of find_layer_exporter(...)->emit never
    // meets an empty std::function; one value is asked for, so two are an error naming the layer.
    xonnx::register_layer_exporter(
        "Twin", {.emit = {},
                 .emit_all = [](const nn::Module& layer, const std::vector<xonnx::Value>& in, xonnx::GraphBuilder& g) {
                     const std::string a = g.node("Identity", {in[0].name}, xonnx::layer_scope(layer));
                     const std::string b = g.node("Identity", {in[0].name}, xonnx::layer_scope(layer));
                     return std::vector<xonnx::Value>{{a, in[0].shape}, {b, in[0].shape}};
                 }});
    BOOST_TEST_REQUIRE(xonnx::find_layer_exporter("Twin") != nullptr);
    BOOST_TEST(static_cast<bool>(xonnx::find_layer_exporter("Twin")->emit));
    BOOST_TEST(static_cast<bool>(xonnx::find_layer_exporter("Functional")->emit));
    nn::Sequential net;
    net.add(nn::Dense(4, "relu", 3));
    net.add(Twin());
    BOOST_CHECK_EXCEPTION(xonnx::export_to_string(net), ValueError,
                          xgrad::test::files::Says({"layer 'twin_1' (Twin) has 2 outputs where one value is expected"}));
}

BOOST_AUTO_TEST_SUITE_END()
