// Layers (Module, Dense, Sequential, initializers, activations) and losses/metrics.
#include <cmath>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {
nn::Sequential mnist_net() {
    nn::Sequential network;
    network.add(nn::Dense(512, "relu", /*input_dim=*/28 * 28));
    network.add(nn::Dense(10, "softmax"));
    return network;
}

Array one_hot_rows(std::initializer_list<std::size_t> labels, std::size_t classes) {
    Array y(Array::shape_type{labels.size(), classes}, 0.f);
    std::size_t i = 0;
    for (auto l : labels) y(i++, l) = 1.f;
    return y;
}

// A small MLP composed by a user from Dense children.
struct Mlp : nn::Module {
    std::shared_ptr<nn::Module> fc1 = register_module("fc1", std::make_shared<nn::Dense>(4, "tanh", 3));
    std::shared_ptr<nn::Module> fc2 = register_module("fc2", std::make_shared<nn::Dense>(2, "linear", 4));
    Tensor forward(const Tensor& x) override { return (*fc2)((*fc1)(x)); }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(nn_layers)

BOOST_AUTO_TEST_CASE(parameter_names_and_labels) {
    auto network = mnist_net();
    auto named = network.named_parameters();
    BOOST_TEST_REQUIRE(named.size() == 4u);
    const char* expected[] = {"dense_1.kernel", "dense_1.bias", "dense_2.kernel", "dense_2.bias"};
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(named[i].first == expected[i]);
        BOOST_TEST(named[i].second.label() == expected[i]);
        BOOST_TEST(named[i].second.requires_grad());
    }
    BOOST_TEST(named[0].second.shape_vector() == Shape({784, 512}));
    BOOST_TEST(named[3].second.shape_vector() == Shape({10}));
    BOOST_TEST(network.parameters().size() == 4u);
}

BOOST_AUTO_TEST_CASE(ops_are_recorded_inside_the_layer_scope) {
    auto network = mnist_net();
    Tensor y = network(constant(Array(Array::shape_type{2, 784}, 0.5f)));
    BOOST_TEST(y.label() == "dense_2/softmax");
    BOOST_TEST(y.scope() == "dense_2");
    Tensor add = y.inputs()[0];
    BOOST_TEST(add.label() == "dense_2/add");
    BOOST_TEST(add.inputs()[0].label() == "dense_2/matmul");
    BOOST_TEST(add.inputs()[0].inputs()[0].label() == "dense_1/relu");
    BOOST_TEST(add.inputs()[1].label() == "dense_2.bias");
    BOOST_TEST(y.shape_vector() == Shape({2, 10}));
}

BOOST_AUTO_TEST_CASE(summary_counts_407050_parameters) {
    auto network = mnist_net();
    BOOST_TEST(network.count_params() == 407050u);
    const std::string s = network.summary(nullptr);
    BOOST_TEST(s.find("Total params: 407,050") != std::string::npos, s);
    BOOST_TEST(s.find("Trainable params: 407,050") != std::string::npos);
    BOOST_TEST(s.find("dense_1 (Dense)") != std::string::npos);
    BOOST_TEST(s.find("(None, 512)") != std::string::npos);
    BOOST_TEST(s.find("401920") != std::string::npos);
    BOOST_TEST(s.find("5130") != std::string::npos);
    // A default-named Sequential: sequential_1, sequential_2, ... (tests/test_model_names.cpp).
    BOOST_TEST(network.name().rfind("sequential_", 0) == 0u, network.name());
    BOOST_TEST(s.find("Model: \"" + network.name() + "\"") == 0u, s);
}

BOOST_AUTO_TEST_CASE(lazy_build_from_the_first_input) {
    nn::Sequential model;
    model.add(nn::Dense(3, "relu"));
    model.add(std::make_shared<nn::Dense>(2, nn::Activation::Sigmoid));
    BOOST_TEST(!model.built());
    BOOST_CHECK_EXCEPTION(model.summary(nullptr), ValueError, has_message("summary: model '" + model.name() + "' is not built yet"));
    Tensor y = model(constant(mixed({4, 5}, -1.f, 1.f)));
    BOOST_TEST(model.built());
    BOOST_TEST(y.shape_vector() == Shape({4, 2}));
    BOOST_TEST(model.named_parameters()[0].second.shape_vector() == Shape({5, 3}));
    BOOST_TEST(model.count_params() == 5u * 3 + 3 + 3 * 2 + 2);
    BOOST_CHECK_EXCEPTION(model(constant(mixed({4, 6}, -1.f, 1.f))), ShapeError,
                          has_message("dense_1: expected inputs with 5 features, got 6"));
    BOOST_CHECK_EXCEPTION(model(constant(mixed({4}, -1.f, 1.f))), ShapeError,
                          has_message("dense_1: Dense expects a 2-D input (batch, features), got (4)"));
}

BOOST_AUTO_TEST_CASE(names_are_unique_and_user_names_are_kept) {
    nn::Sequential model;
    model.add(nn::Dense(nn::DenseOptions{.units = 3, .input_dim = 2, .name = "hidden"}));
    model.add(nn::Dense(2));
    BOOST_TEST(model.layers()[0]->name() == "hidden");
    BOOST_TEST(model.layers()[1]->name() == "dense_1");
    BOOST_TEST(model.named_parameters()[0].second.label() == "hidden.kernel");
    BOOST_CHECK_EXCEPTION(model.add(nn::Dense(nn::DenseOptions{.units = 1, .name = "hidden"})), ValueError,
                          has_message("already has a layer named 'hidden'"));
}

BOOST_AUTO_TEST_CASE(user_modules_compose_submodules) {
    Mlp mlp;
    auto named = mlp.named_parameters();
    BOOST_TEST_REQUIRE(named.size() == 4u);
    BOOST_TEST(named[0].first == "fc1.kernel");
    BOOST_TEST(named[0].second.label() == "fc1.kernel");
    BOOST_TEST(named[3].first == "fc2.bias");
    Tensor y = mlp(constant(mixed({5, 3}, -1.f, 1.f)));
    BOOST_TEST(y.shape_vector() == Shape({5, 2}));
    BOOST_TEST(y.label() == "fc2/add");
    mlp.eval();
    BOOST_TEST(!mlp.fc1->is_training());
    mlp.train();
    BOOST_TEST(mlp.fc1->is_training());
}

BOOST_AUTO_TEST_CASE(initializers_are_seeded_and_bounded) {
    manual_seed(7);
    nn::Dense a(64, "linear", 32);
    manual_seed(7);
    nn::Dense b(64, "linear", 32);
    BOOST_TEST(a.kernel().value() == b.kernel().value());
    const float limit = std::sqrt(6.f / (32 + 64));
    BOOST_TEST(xt::amax(xt::abs(a.kernel().value()))() <= limit);
    BOOST_TEST(xt::amax(xt::abs(a.kernel().value()))() > 0.8f * limit);  // really spread over the range
    BOOST_TEST(xt::amax(xt::abs(a.bias().value()))() == 0.f);

    const Shape big{400, 300};
    auto std_of = [](const Array& v) {
        double s = 0, s2 = 0;
        for (float x : v) s += x, s2 += double(x) * x;
        const double n = double(v.size());
        return std::sqrt(s2 / n - (s / n) * (s / n));
    };
    BOOST_TEST(std_of(nn::init::he_normal()(big)) == std::sqrt(2.0 / 400), boost::test_tools::tolerance(0.05));
    BOOST_TEST(std_of(nn::init::glorot_normal()(big)) == std::sqrt(2.0 / 700), boost::test_tools::tolerance(0.05));
    BOOST_TEST(std_of(nn::init::he_uniform()(big)) == std::sqrt(6.0 / 400) / std::sqrt(3.0), boost::test_tools::tolerance(0.05));
    BOOST_TEST(std_of(nn::init::random_normal()(big)) == 0.05, boost::test_tools::tolerance(0.05));
    const Array u = nn::init::Initializer("random_uniform")(big);
    BOOST_TEST(xt::amax(xt::abs(u))() <= 0.05f);
    BOOST_TEST(xt::amin(nn::init::ones()({3}))() == 1.f);

    nn::Dense c(nn::DenseOptions{.units = 2, .input_dim = 2, .kernel_initializer = "ones", .bias_initializer = nn::init::ones()});
    BOOST_TEST(c.kernel().value() == Array({{1, 1}, {1, 1}}));
    BOOST_TEST(c.bias().value() == Array({1, 1}));
}

BOOST_AUTO_TEST_CASE(unknown_names_list_the_valid_ones) {
    BOOST_CHECK_EXCEPTION(nn::Dense(3, "relux"), ValueError,
                          has_message("activation: unknown activation 'relux'; valid names: linear, relu, sigmoid, tanh, softmax"));
    BOOST_CHECK_EXCEPTION(nn::init::Initializer("xavier"), ValueError,
                          has_message("initializer: unknown initializer 'xavier'; valid names: glorot_uniform, glorot_normal"));
    BOOST_CHECK_EXCEPTION(nn::Dense(0), ValueError, has_message("Dense: units must be positive"));
    BOOST_CHECK_EXCEPTION(nn::Sequential().forward(constant(Array{1.f})), ValueError, has_message("has no layers"));
}

BOOST_AUTO_TEST_CASE(activations_by_enum_and_string) {
    const Array z = {{-1.f, 0.5f, 2.f}};
    for (auto name : {"linear", "relu", "sigmoid", "tanh", "softmax"}) {
        const auto a = nn::activation_from_string(name);
        BOOST_TEST(nn::to_string(a) == name);
        const Array v = nn::apply_activation(a, constant(z)).value();
        BOOST_TEST(v.shape() == z.shape());
    }
    BOOST_TEST(nn::apply_activation(nn::Activation::Relu, constant(z)).value() == Array({{0.f, 0.5f, 2.f}}));
    BOOST_TEST((nn::Dense(3, "softmax").activation() == nn::Activation::Softmax));
}

BOOST_AUTO_TEST_CASE(dense_gradcheck) {
    manual_seed(3);
    for (auto act : {"linear", "relu", "sigmoid", "tanh", "softmax"}) {
        nn::Dense d(3, act, 4);
        Tensor x = parameter(mixed({5, 4}, -1.f, 1.f), "x");
        auto f = [&d](const std::vector<Tensor>& in) { return d(in[0]); };
        BOOST_TEST_CONTEXT("activation " << act) { XGRAD_CHECK_GRAD(f, x, d.kernel(), d.bias()); }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nn_losses)

BOOST_AUTO_TEST_CASE(categorical_crossentropy_value_and_clipping) {
    const Array p = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.1f, 0.8f}};
    const Array y = one_hot_rows({0, 2}, 3);
    const float expected = -(std::log(0.7f) + std::log(0.8f)) / 2.f;
    BOOST_TEST(losses::categorical_crossentropy(constant(y), constant(p)).item() == expected, boost::test_tools::tolerance(1e-6f));
    // A zero probability is clipped to eps = 1e-7 instead of giving Inf.
    const Array p0 = {{0.f, 1.f}};
    BOOST_TEST(losses::categorical_crossentropy(constant(one_hot_rows({0}, 2)), constant(p0)).item() ==
               -std::log(1e-7f), boost::test_tools::tolerance(1e-5f));
}

BOOST_AUTO_TEST_CASE(other_losses_values) {
    const Array y = {{1.f, 0.f}, {0.f, 1.f}};
    const Array p = {{0.9f, 0.3f}, {0.2f, 0.6f}};
    const double bce = -(std::log(0.9) + std::log(0.7) + std::log(0.8) + std::log(0.6)) / 4;
    BOOST_TEST(losses::binary_crossentropy(constant(y), constant(p)).item() == bce, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(losses::mean_squared_error(constant(y), constant(p)).item() == (0.01 + 0.09 + 0.04 + 0.16) / 4,
               boost::test_tools::tolerance(1e-5));
    BOOST_TEST(losses::mean_absolute_error(constant(y), constant(p)).item() == (0.1 + 0.3 + 0.2 + 0.4) / 4,
               boost::test_tools::tolerance(1e-5));
    const Array probs = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.1f, 0.8f}};
    const Array labels = {0.f, 2.f};
    BOOST_TEST(losses::sparse_categorical_crossentropy(constant(labels), constant(probs)).item() ==
               losses::categorical_crossentropy(constant(one_hot_rows({0, 2}, 3)), constant(probs)).item());
    BOOST_TEST(losses::Loss("mse").name() == "mean_squared_error");
}

BOOST_AUTO_TEST_CASE(losses_gradcheck) {
    const Tensor y = constant(one_hot_rows({1, 0, 2}, 3));
    const Tensor yb = constant(Array{{1.f, 0.f, 1.f}, {0.f, 1.f, 0.f}, {1.f, 1.f, 0.f}});
    Tensor p = parameter(mixed({3, 3}, 0.1f, 0.9f), "p");
    for (auto name : {"categorical_crossentropy", "binary_crossentropy", "mean_squared_error", "mean_absolute_error"}) {
        const losses::Loss loss(name);
        const Tensor target = std::string(name) == "categorical_crossentropy" ? y : yb;
        auto f = [&](const std::vector<Tensor>& in) { return loss(target, in[0]); };
        BOOST_TEST_CONTEXT(name) { XGRAD_CHECK_GRAD(f, p); }
    }
    const Tensor labels = constant(Array{1.f, 0.f, 2.f});
    XGRAD_CHECK_GRAD([&](const std::vector<Tensor>& in) { return losses::sparse_categorical_crossentropy(labels, in[0]); }, p);
    Tensor z = parameter(mixed({3, 3}, -2.f, 2.f), "z");
    XGRAD_CHECK_GRAD([&](const std::vector<Tensor>& in) { return losses::softmax_cross_entropy(in[0], y); }, z);
    Tensor soft_y = parameter(Array{{0.2f, 0.3f, 0.5f}, {0.6f, 0.1f, 0.3f}, {0.3f, 0.3f, 0.4f}}, "y");
    XGRAD_CHECK_GRAD([&](const std::vector<Tensor>& in) { return losses::softmax_cross_entropy(in[0], in[1]); }, z, soft_y);
}

BOOST_AUTO_TEST_CASE(fused_softmax_cross_entropy_equals_the_unfused_graph) {
    const Tensor y = constant(one_hot_rows({1, 0, 2, 2}, 3));
    Tensor z1 = parameter(mixed({4, 3}, -3.f, 3.f), "z");
    Tensor z2 = parameter(z1.value(), "z");
    Tensor fused = losses::softmax_cross_entropy(z1, y);
    Tensor unfused = losses::categorical_crossentropy(y, softmax(z2));
    BOOST_TEST(fused.item() == unfused.item(), boost::test_tools::tolerance(1e-5f));
    BOOST_TEST(fused.label() == "softmax_cross_entropy");
    fused.backward();
    unfused.backward();
    const Array& g1 = z1.grad().value();
    const Array& g2 = z2.grad().value();
    BOOST_TEST(xt::amax(xt::abs(g1 - g2))() < 1e-6f);
    BOOST_TEST(xt::amax(xt::abs(g1))() > 1e-2f);

    // Second order through the fused backward (written with public ops): d/dz sum(g^2).
    Tensor z3 = parameter(z1.value()), z4 = parameter(z1.value());
    auto g3 = grad({losses::softmax_cross_entropy(z3, y)}, {z3}, {.create_graph = true})[0];
    auto g4 = grad({losses::categorical_crossentropy(y, softmax(z4))}, {z4}, {.create_graph = true})[0];
    sum(g3 * g3).backward();
    sum(g4 * g4).backward();
    BOOST_TEST(xt::amax(xt::abs(z3.grad().value() - z4.grad().value()))() < 1e-5f);
}

BOOST_AUTO_TEST_CASE(loss_errors) {
    BOOST_CHECK_EXCEPTION(losses::Loss("crossentropy"), ValueError,
                          has_message("loss: unknown loss 'crossentropy'; valid names: categorical_crossentropy, "
                                      "sparse_categorical_crossentropy, binary_crossentropy"));
    const Tensor p = constant(Array(Array::shape_type{2, 3}, 0.3f), "p");
    BOOST_CHECK_EXCEPTION(losses::categorical_crossentropy(constant(Array(Array::shape_type{2, 2}, 0.f)), p), ShapeError,
                          has_message("categorical_crossentropy: y_true (2x2) and y_pred (2x3 'p') must have the same shape"));
    BOOST_CHECK_EXCEPTION(losses::sparse_categorical_crossentropy(constant(Array{0.f, 3.f}), p), ValueError,
                          has_message("label 3.000000 at row 1 is not a class index in [0, 3)"));
    BOOST_CHECK_EXCEPTION(losses::softmax_cross_entropy(constant(Array{1.f, 2.f}), constant(Array{1.f, 0.f})), ShapeError,
                          has_message("softmax_cross_entropy: logits must be a non-empty (batch, classes) matrix, got (2)"));
}

BOOST_AUTO_TEST_CASE(metrics_values) {
    const Array p = {{0.7f, 0.2f, 0.1f}, {0.1f, 0.1f, 0.8f}, {0.3f, 0.4f, 0.3f}, {0.5f, 0.4f, 0.1f}};
    const Array y = one_hot_rows({0, 2, 0, 0}, 3);
    BOOST_TEST(metrics::categorical_accuracy(y, p) == 0.75);
    BOOST_TEST(metrics::accuracy(y, p) == 0.75);
    BOOST_TEST(metrics::sparse_categorical_accuracy(Array{0.f, 2.f, 1.f, 1.f}, p) == 0.75);
    BOOST_TEST(metrics::Metric("accuracy")(Array{0.f, 2.f, 1.f, 1.f}, p) == 0.75);
    const Array pb = xgrad::test::column({0.6f, 0.4f, 0.9f, 0.1f});
    const Array yb = xgrad::test::column({1.f, 1.f, 1.f, 0.f});
    BOOST_TEST(metrics::binary_accuracy(yb, pb) == 0.75);
    BOOST_TEST(metrics::accuracy(yb, pb) == 0.75);
    BOOST_CHECK_EXCEPTION(metrics::Metric("precision"), ValueError,
                          has_message("metric: unknown metric 'precision'; valid names: accuracy (acc), categorical_accuracy"));
    BOOST_CHECK_EXCEPTION(metrics::categorical_accuracy(y, pb), ShapeError, has_message("categorical_accuracy: y_true (4x3)"));
}

BOOST_AUTO_TEST_SUITE_END()
