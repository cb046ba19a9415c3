// The convnet layers: the ch. 5 network's summary, lazy building, Keras initial values,
// training/inference behaviour, a tiny convnet that learns, weights round trips, errors.
#include <cstdio>
#include <xtensor/xview.hpp>

#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {

// Deep Learning with Python, listing 5.1 + 5.2.
nn::Sequential chapter5_net() {
    nn::Sequential model;
    model.add(nn::Conv2D(32, {3, 3}, "relu", {.input_shape = {28, 28, 1}}));
    model.add(nn::MaxPooling2D({2, 2}));
    model.add(nn::Conv2D(64, {3, 3}, "relu"));
    model.add(nn::MaxPooling2D({2, 2}));
    model.add(nn::Conv2D(64, {3, 3}, "relu"));
    model.add(nn::Flatten());
    model.add(nn::Dense(64, "relu"));
    model.add(nn::Dense(10, "softmax"));
    return model;
}

// 2-class images: a bright vertical bar (class 0) or horizontal bar (class 1), with noise.
std::pair<Array, Array> bars(std::size_t n) {
    Array x = random_uniform({n, 6, 6, 1}, 0.f, 0.2f);
    Array y = xt::zeros<float>({n, std::size_t(2)});
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t cls = i % 2, at = 1 + (i / 2) % 4;
        for (std::size_t k = 0; k < 6; ++k) (cls == 0 ? x(i, k, at, 0) : x(i, at, k, 0)) += 1.f;
        y(i, cls) = 1.f;
    }
    return {x, y};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_conv_layers)

BOOST_AUTO_TEST_CASE(chapter5_summary_matches_keras) {
    auto model = chapter5_net();
    BOOST_TEST(model.built());
    const std::string s = model.summary(nullptr);
    // Keras' table for listing 5.2: names, output shapes and parameter counts, in order.
    const std::vector<std::string> rows = {
        "conv2d_1 (Conv2D)           (None, 26, 26, 32)        320",
        "max_pooling2d_1 (MaxPooling (None, 13, 13, 32)        0",
        "conv2d_2 (Conv2D)           (None, 11, 11, 64)        18496",
        "max_pooling2d_2 (MaxPooling (None, 5, 5, 64)          0",
        "conv2d_3 (Conv2D)           (None, 3, 3, 64)          36928",
        "flatten_1 (Flatten)         (None, 576)               0",
        "dense_1 (Dense)             (None, 64)                36928",
        "dense_2 (Dense)             (None, 10)                650",
        "Total params: 93,322",
        "Trainable params: 93,322",
        "Non-trainable params: 0"};
    std::size_t at = 0;
    for (const auto& row : rows) {
        const auto found = s.find(row, at);
        BOOST_TEST(found != std::string::npos, "missing or out of order: '" << row << "' in\n" << s);
        if (found != std::string::npos) at = found;
    }
    BOOST_TEST(model.count_params() == 93322u);
}

BOOST_AUTO_TEST_CASE(conv2d_layer_is_keras_initialised_and_built_lazily) {
    manual_seed(5);
    nn::Conv2D conv(4, {3, 2}, "relu");
    BOOST_TEST(!conv.built());
    Tensor x = constant(mixed({2, 5, 4, 3}, -1, 1));
    Tensor y = conv(x);
    BOOST_TEST(conv.built());
    BOOST_TEST(conv.name() == "conv2d");
    BOOST_TEST(conv.kernel().shape_vector() == Shape({3, 2, 3, 4}));
    BOOST_TEST(y.shape_vector() == Shape({2, 3, 3, 4}));
    // glorot-uniform with Keras' fans: receptive field 6, fan_in 18, fan_out 24.
    const float limit = std::sqrt(6.f / (18 + 24));
    BOOST_TEST(xt::amax(xt::abs(conv.kernel().value()))() <= limit);
    BOOST_TEST(xt::amax(xt::abs(conv.kernel().value()))() > 0.8f * limit);
    BOOST_TEST((conv.bias().value() == Array(Array::shape_type{4}, 0.f)));
    // The layer is the op plus the bias, then relu, recorded in its name scope.
    Array expected = xt::maximum(conv2d(x, conv.kernel()).value(), 0.f);
    BOOST_TEST(xt::allclose(y.value(), expected));
    BOOST_TEST(y.label() == "conv2d/relu");
    nn::Conv2D strided(2, {3, 3}, nn::Activation::Linear,
                       {.strides = {2, 2}, .padding = Padding::Same, .use_bias = false, .input_shape = {7, 5, 3}});
    BOOST_TEST(strided.output_shape() == Shape({4, 3, 2}));
    BOOST_TEST(strided.count_params() == 3u * 3 * 3 * 2);
}

BOOST_AUTO_TEST_CASE(pooling_reshape_and_global_layers) {
    nn::Sequential model;
    model.add(nn::Conv2D(3, {3, 3}, "relu", {.padding = Padding::Same, .input_shape = {6, 5, 2}}));
    model.add(nn::AveragePooling2D({2, 2}, {1, 1}));
    model.add(nn::MaxPooling2D({3, 3}, {2, 2}, Padding::Same));
    model.add(nn::Reshape({-1, 3}));
    model.add(nn::Reshape({3, 2, 3}));
    model.add(nn::GlobalAveragePooling2D());
    BOOST_TEST(model.layers()[1]->output_shape() == Shape({5, 4, 3}));
    BOOST_TEST(model.layers()[2]->output_shape() == Shape({3, 2, 3}));
    BOOST_TEST(model.layers()[3]->output_shape() == Shape({6, 3}));
    BOOST_TEST(model.output_shape() == Shape({3}));
    BOOST_TEST(model.layers()[1]->name() == "average_pooling2d_1");
    BOOST_TEST(model.layers()[5]->name() == "global_average_pooling2d_1");
    Tensor y = model(constant(mixed({2, 6, 5, 2}, -1, 1)));
    BOOST_TEST(y.shape_vector() == Shape({2, 3}));
}

BOOST_AUTO_TEST_CASE(dropout_is_active_only_in_training) {
    nn::Dropout drop(0.5f);
    Tensor x = constant(Array(Array::shape_type{50, 40}, 1.f));
    drop.train();
    manual_seed(1);
    Array a = drop(x).value();
    BOOST_TEST(std::count(a.begin(), a.end(), 0.f) > 800);
    BOOST_TEST(std::count(a.begin(), a.end(), 2.f) > 800);
    drop.eval();
    BOOST_TEST((drop(x).value() == x.value()));
}

BOOST_AUTO_TEST_CASE(batch_normalization_layer) {
    nn::Sequential model;
    model.add(nn::Dense(3, "linear", 2));
    model.add(nn::BatchNormalization());
    const std::string s = model.summary(nullptr);
    BOOST_TEST(s.find("batch_normalization_1 (Bat") != std::string::npos, s);
    BOOST_TEST(s.find("Total params: 21") != std::string::npos);
    BOOST_TEST(s.find("Trainable params: 15") != std::string::npos);
    BOOST_TEST(s.find("Non-trainable params: 6") != std::string::npos);
    auto& bn = static_cast<nn::BatchNormalization&>(*model.layers()[1]);
    BOOST_TEST(bn.moving_mean().label() == "batch_normalization_1.moving_mean");
    Tensor x = constant(mixed({8, 2}, -2, 3));
    model.train();
    Tensor y = model(x);
    // Batch statistics: every channel of the output has mean 0 (γ = 1, β = 0).
    Array m = xt::mean(y.value(), {0});
    BOOST_TEST(xt::allclose(m, xt::zeros<float>({3}), 1e-5, 1e-5));
    Array h = model.layers()[0]->forward(x).value();
    Array batch_mean = xt::mean(h, {0});
    BOOST_TEST(xt::allclose(bn.moving_mean().value(), 0.01f * batch_mean, 1e-5, 1e-6));
    sum(y * y).backward();
    BOOST_TEST(!bn.moving_mean().grad().defined());  // not trainable
    BOOST_TEST(bn.gamma().grad().defined());
    model.eval();
    const Array before = bn.moving_mean().value();
    Array inference = model(x).value();
    BOOST_TEST((bn.moving_mean().value() == before));
    BOOST_TEST(!xt::allclose(inference, y.value()));
}

BOOST_AUTO_TEST_CASE(embedding_layer) {
    manual_seed(2);
    nn::Sequential model;
    model.add(nn::Embedding(10, 4));
    model.add(nn::Flatten());
    Tensor ids = constant(Array{{1, 9, 1}, {0, 0, 3}});
    Tensor y = model(ids);
    BOOST_TEST(y.shape_vector() == Shape({2, 12}));
    auto& emb = static_cast<nn::Embedding&>(*model.layers()[0]);
    BOOST_TEST(emb.embeddings().label() == "embedding_1.embeddings");
    BOOST_TEST(xt::amax(xt::abs(emb.embeddings().value()))() <= 0.05f);
    BOOST_TEST(xt::allclose(xt::view(y.value(), 0, xt::range(0, 4)), xt::view(emb.embeddings().value(), 1)));
    BOOST_TEST(model.output_shape() == Shape({12}));
}

BOOST_AUTO_TEST_CASE(convnet_gradients_through_the_layers) {
    manual_seed(4);
    nn::Sequential model;
    model.add(nn::Conv2D(2, {3, 3}, "tanh", {.strides = {2, 2}, .padding = Padding::Same, .input_shape = {5, 5, 2}}));
    model.add(nn::MaxPooling2D({2, 2}, {1, 1}));
    model.add(nn::Flatten());
    model.add(nn::Dense(3));
    Tensor x = constant(mixed({3, 5, 5, 2}, -1, 1));
    auto params = model.parameters();
    auto r = gradcheck(
        [&](const std::vector<Tensor>&) { return sum(square(model(x))); }, params);
    BOOST_TEST(r.ok, r.report);
}

BOOST_AUTO_TEST_CASE(tiny_convnet_learns_and_round_trips_its_weights) {
    manual_seed(11);
    auto [x, y] = bars(64);
    nn::Sequential model;
    model.add(nn::Conv2D(4, {3, 3}, "relu", {.input_shape = {6, 6, 1}}));
    model.add(nn::BatchNormalization());
    model.add(nn::MaxPooling2D());
    model.add(nn::Flatten());
    model.add(nn::Dropout(0.2f));
    model.add(nn::Dense(2, "softmax"));
    model.compile(optim::RMSprop(optim::RMSpropOptions{.learning_rate = 0.01f}), "categorical_crossentropy", {"accuracy"});
    auto history = model.fit(x, y, {.epochs = 15, .batch_size = 16, .verbose = 0});
    BOOST_TEST(history["loss"].back() < history["loss"].front());
    auto result = model.evaluate(x, y, {.verbose = 0});
    BOOST_TEST(result.at("accuracy") >= 0.95);
    // evaluate/predict run in inference mode: deterministic despite the dropout.
    BOOST_TEST((model.predict(x) == model.predict(x)));
    const std::string path = "conv_weights_test.xgw";
    model.save_weights(path);
    auto copy = nn::Sequential();
    copy.add(nn::Conv2D(4, {3, 3}, "relu", {.input_shape = {6, 6, 1}}));
    copy.add(nn::BatchNormalization());
    copy.add(nn::MaxPooling2D());
    copy.add(nn::Flatten());
    copy.add(nn::Dropout(0.2f));
    copy.add(nn::Dense(2, "softmax"));
    copy.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    copy.load_weights(path);
    std::remove(path.c_str());
    BOOST_TEST(xt::allclose(copy.predict(x), model.predict(x)));  // moving statistics included
}

BOOST_AUTO_TEST_CASE(diagram_and_backward_stepper_on_a_tiny_convnet) {
    manual_seed(6);
    nn::Sequential model;
    model.add(nn::Conv2D(2, {3, 3}, "relu", {.input_shape = {6, 6, 1}}));
    model.add(nn::MaxPooling2D());
    model.add(nn::Flatten());
    model.add(nn::Dense(2, "softmax"));
    Tensor y = model(constant(mixed({2, 6, 6, 1}, -1, 1)));
    // Collapsed layers: one box per layer, the boxes chained with the shapes between them.
    const std::string dot = viz::model_dot(y);
    BOOST_TEST(dot.find("conv2d_1|input (2x6x6x1)|output (2x4x4x2)|params 20") != std::string::npos, dot);
    BOOST_TEST(dot.find("layer_conv2d_1 -> layer_max_pooling2d_1 [label=\"(2x4x4x2)\"];") != std::string::npos, dot);
    BOOST_TEST(dot.find("layer_max_pooling2d_1 -> layer_flatten_1") != std::string::npos);
    // The stepper walks the conv and pooling steps with their chain-rule text, and ends with
    // the gradients backward() computes.
    Tensor loss = sum(square(y));
    study::BackwardStepper stepper(loss);
    const auto steps = stepper.run_to_end();
    const std::string trace = study::trace_table(steps);
    BOOST_TEST(trace.find("dK = im2col(x)ᵀ · dY") != std::string::npos, trace);
    BOOST_TEST(trace.find("the max takes the gradient") != std::string::npos);
    const Tensor kernel = model.parameters()[0];
    const Array stepped = stepper.gradient(kernel).value();
    loss.backward();
    BOOST_TEST((stepped == kernel.grad().value()));
}

BOOST_AUTO_TEST_CASE(layer_errors_name_the_layer_and_shapes) {
    nn::Sequential model;
    model.add(nn::Conv2D(8, {3, 3}, "relu"));
    BOOST_CHECK_EXCEPTION(model(constant(mixed({4, 784}, 0, 1))), ShapeError,
                          has_message{"conv2d_1: Conv2D expects a 4-D input (batch, height, width, channels), got (4x784)"});
    BOOST_CHECK_EXCEPTION(nn::Conv2D(8, {5, 5}, "relu", {.input_shape = {3, 3, 1}}), ShapeError,
                          has_message{"conv2d: a 5x5 kernel with 'valid' padding does not fit inputs (3x3x1)"});
    model(constant(mixed({1, 5, 5, 2}, 0, 1)));
    BOOST_CHECK_EXCEPTION(model(constant(mixed({1, 5, 5, 3}, 0, 1))), ShapeError,
                          has_message{"conv2d_1: expected inputs with 2 channels, got (5x5x3)"});
    BOOST_CHECK_EXCEPTION(nn::Conv2D(0, {3, 3}), ValueError, has_message{"Conv2D: filters must be positive, got 0"});
    BOOST_CHECK_EXCEPTION(nn::Conv2D(2, {3, 3}, "relux"), ValueError, has_message{"relux"});
    BOOST_CHECK_EXCEPTION(nn::Dropout(1.5f), ValueError, has_message{"Dropout: rate must be in [0, 1), got 1.5"});
    BOOST_CHECK_EXCEPTION(nn::Reshape({-1, -1}), ValueError, has_message{"Reshape: target (-1x-1) has more than one -1"});
    nn::Sequential reshaper;
    reshaper.add(nn::Reshape({4, 4}));
    BOOST_CHECK_EXCEPTION(reshaper(constant(mixed({2, 15}, 0, 1))), ShapeError,
                          has_message{"reshape_1: cannot reshape per-sample input (15) (15 elements) to (4x4)"});
    nn::MaxPooling2D pool;
    BOOST_CHECK_EXCEPTION(pool(constant(mixed({2, 15}, 0, 1))), ShapeError,
                          has_message{"max_pooling2d: MaxPooling2D expects a 4-D input (batch, height, width, channels), got (2x15)"});
    BOOST_CHECK_EXCEPTION(nn::Embedding(0, 3), ValueError, has_message{"Embedding: input_dim and output_dim must be positive"});
    nn::Embedding emb(3, 2);
    BOOST_CHECK_EXCEPTION(emb(constant(Array{{0, 3}})), ValueError, has_message{"gather: index 3.000000 at position 1"});
}

BOOST_AUTO_TEST_SUITE_END()
