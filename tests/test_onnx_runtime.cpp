// Round trips: models exported by xgrad, run by ONNX Runtime (npm's onnxruntime-node, CPU),
// give xgrad's predict() within 1e-5 (max abs). Skipped with a message without node or the
// package (scripts/install_onnxruntime.sh).
#include <boost/test/unit_test.hpp>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include "onnx_models.hpp"
#include "onnx_runtime.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/onnx/export.hpp>
#include <xgrad/xgrad.hpp>

using namespace xgrad;
using xgrad::test::files::TempDir;
namespace ort = xgrad::test::ort;
// `onnx` alone would be ambiguous: xgrad::onnx (using namespace xgrad) and ONNX's ::onnx.
namespace xonnx = xgrad::onnx;

namespace {

// y = x * scale, a per-feature scale: a user layer exported through the registry.
class Scale : public nn::Module {
public:
    explicit Scale(Array scale) { scale_ = register_parameter("scale", std::move(scale)); }
    Tensor forward(const Tensor& x) override { return x * scale_; }
    std::string type_name() const override { return "Scale"; }
    Shape output_shape() const override { return {scale_.shape()[0]}; }
    const Tensor& scale() const { return scale_; }

private:
    Tensor scale_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(onnx_runtime, *boost::unit_test::precondition(ort::available))

BOOST_AUTO_TEST_CASE(every_activation_matches_predict) {
    for (const std::string act : {"linear", "relu", "sigmoid", "tanh", "softmax"}) {
        nn::Sequential net = xgrad::test::onnx_models::mlp(6, 8, 4, act, act);
        const Array x = xgrad::test::mixed({5, 6}, -2.f, 2.f);
        const float diff = ort::round_trip(net, x);
        BOOST_TEST_INFO("activation " << act);
        BOOST_TEST(diff <= ort::kTolerance);
    }
}

BOOST_AUTO_TEST_CASE(deeper_nested_model_and_any_batch_size) {
    manual_seed(3);
    auto block = std::make_shared<nn::Sequential>("block");
    block->add(nn::Dense(16, "relu", 12));
    block->add(nn::Dense(16, "tanh"));
    nn::Sequential net("deep");
    net.add(block);
    net.add(nn::Dense(8, "sigmoid"));
    net.add(nn::Dense(3, "softmax"));
    TempDir dir;
    const std::string path = dir / "deep.onnx";
    xonnx::export_model(net, path);
    // One file, several batch sizes: the batch axis is symbolic.
    for (std::size_t batch : {1u, 7u, 64u}) {
        const Array x = xgrad::test::mixed({batch, 12}, -3.f, 3.f);
        const Array got = ort::run_model(path, x, dir);
        BOOST_TEST_INFO("batch " << batch);
        BOOST_TEST(ort::max_abs_diff(got, net.predict(x)) <= ort::kTolerance);
    }
}

BOOST_AUTO_TEST_CASE(trained_weights_round_trip) {
    // A model trained a few steps: the file carries the trained weights, not the initial ones.
    nn::Sequential net = xgrad::test::onnx_models::mlp(4, 6, 3, "relu", "softmax");
    const Array x = xgrad::test::mixed({32, 4}, -1.f, 1.f);
    Array y = xt::zeros<float>({32, 3});
    for (std::size_t i = 0; i < 32; ++i) y(i, i % 3) = 1.f;
    const Array before = net.predict(x);
    net.compile("rmsprop", "categorical_crossentropy");
    net.fit(x, y, {.epochs = 3, .batch_size = 8, .verbose = 0});
    BOOST_TEST(ort::max_abs_diff(before, net.predict(x)) > 1e-3f);
    BOOST_TEST(ort::round_trip(net, x) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(a_registered_user_layer_plugs_in) {
    xonnx::register_layer_exporter("Scale", {[](const nn::Module& layer, const std::vector<xonnx::Value>& in,
                                               xonnx::GraphBuilder& g) -> xonnx::Value {
        const auto& s = dynamic_cast<const Scale&>(layer);
        const std::string w = g.initializer(s.scale().label(), s.scale().value());
        return {g.node("Mul", {in[0].name, w}, xonnx::layer_scope(layer)), in[0].shape};
    }});
    manual_seed(5);
    nn::Sequential net;
    net.add(nn::Dense(5, "tanh", 3));
    net.add(Scale(xgrad::test::ramp({5}, -2.f, 2.f)));
    net.add(nn::Dense(2, "linear"));
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({4, 3}, -1.f, 1.f)) <= ort::kTolerance);
}

BOOST_AUTO_TEST_CASE(opset_13_and_renamed_io_run_too) {
    nn::Sequential net = xgrad::test::onnx_models::mlp(5, 7, 3, "sigmoid", "softmax");
    BOOST_TEST(ort::round_trip(net, xgrad::test::mixed({3, 5}, -1.f, 1.f),
                          {.opset = 13, .input_name = "features", .output_name = "probabilities"}) <= ort::kTolerance);
}

BOOST_AUTO_TEST_SUITE_END()
