// A tour of the Keras-style layer on a tiny synthetic problem (runs in well under 2 s):
// Sequential + summary, compile/fit/evaluate/predict, callbacks, History files, weights
// save/load, and a hand-written training loop over a custom Module.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

namespace nn = xgrad::nn;

namespace {

// Three noisy rings in 2-D: points at radius 1, 2 and 3, labelled by ring (one-hot).
std::pair<xgrad::Array, xgrad::Array> rings(std::size_t n) {
    xgrad::Array x(xgrad::Array::shape_type{n, 2});
    xgrad::Array y(xgrad::Array::shape_type{n, 3}, 0.f);
    const xgrad::Array noise = xgrad::random_normal({n, 2}, 0.f, 0.15f);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t c = i % 3;
        const float angle = 6.2831853f * float(i) / float(n) * 7.f;
        x(i, 0) = float(c + 1) * std::cos(angle) + noise(i, 0);
        x(i, 1) = float(c + 1) * std::sin(angle) + noise(i, 1);
        y(i, c) = 1.f;
    }
    return {x, y};
}

// A user-defined module: two Dense children and a residual-free forward.
struct TinyMlp : nn::Module {
    std::shared_ptr<nn::Module> hidden = register_module("hidden", std::make_shared<nn::Dense>(16, "tanh", 2));
    std::shared_ptr<nn::Module> out = register_module("out", std::make_shared<nn::Dense>(3, "linear", 16));
    xgrad::Tensor forward(const xgrad::Tensor& x) override { return (*out)((*hidden)(x)); }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"A tour of the Keras-style layers on a tiny synthetic problem: Sequential, compile/fit/\n"
                 "evaluate/predict, callbacks, History files, weights save/load, a custom Module.",
                 "layers_tour"};
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    xgrad::manual_seed(2024);
    auto [x, y] = rings(1500);
    auto [x_test, y_test] = rings(300);

    // 1. The book's listing, on rings instead of MNIST.
    nn::Sequential network;
    network.add(nn::Dense(32, "relu", /*input_dim=*/2));
    network.add(nn::Dense(3, "softmax"));
    network.summary();
    network.compile(xgrad::optim::RMSprop({.learning_rate = 0.01f}), "categorical_crossentropy", {"accuracy"});
    auto early = std::make_shared<xgrad::train::EarlyStopping>("val_loss", 3);
    auto history = network.fit(x, y, {.epochs = 15, .batch_size = 32, .validation_split = 0.2, .callbacks = {early}});
    auto result = network.evaluate(x_test, y_test);
    std::cout << "test_acc: " << result.at("accuracy") << '\n';
    std::cout << "fused softmax + cross-entropy in training: " << std::boolalpha
              << network.uses_fused_softmax_cross_entropy() << '\n';

    // 2. History as CSV, predictions as probabilities.
    std::cout << history.to_csv();
    const xgrad::Array p = network.predict(x_test);
    std::printf("first test point: p = [%.3f %.3f %.3f]\n", p(0, 0), p(0, 1), p(0, 2));

    // 3. Weights (and optimizer state) round trip through a file.
    const std::string path = "layers_tour_weights.xgw";
    network.save_weights(path);
    nn::Sequential copy;
    copy.add(nn::Dense(32, "relu", 2));
    copy.add(nn::Dense(3, "softmax"));
    copy.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    copy.load_weights(path);
    std::cout << "reloaded test_acc: " << copy.evaluate(x_test, y_test, {.verbose = 0}).at("accuracy") << '\n';
    std::remove(path.c_str());

    // 4. The same problem with a custom Module and a hand-written loop.
    TinyMlp model;
    xgrad::optim::Adam adam({.learning_rate = 0.02f});
    adam.attach(model.named_parameters());  // state is kept by these names: hidden.kernel, ...
    const xgrad::Tensor xs = xgrad::constant(x), ys = xgrad::constant(y);
    for (int step = 1; step <= 150; ++step) {
        xgrad::Tensor loss = xgrad::losses::softmax_cross_entropy(model(xs), ys);
        adam.zero_grad();
        loss.backward();
        adam.step();
        if (step % 50 == 0) std::printf("custom loop step %d: loss %.4f\n", step, loss.item());
    }
    xgrad::NoGradGuard no_grad;
    const xgrad::Array probs = xgrad::softmax(model(xgrad::constant(x_test))).value();
    std::printf("custom module test accuracy: %.3f\n", xgrad::metrics::accuracy(y_test, probs));
    return 0;
}
