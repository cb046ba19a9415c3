// Keras style 1 of 3 (docs/models.md): a Sequential stack of layers, trained by the shared engine.
// Task: three Gaussian blobs in 4-D; prints the test accuracy and exits 1 below 90%.
#include <iostream>
#include <xgrad/xgrad.hpp>

namespace nn = xgrad::nn;

// Three Gaussian blobs in 4-D with one-hot labels.
std::pair<xgrad::Array, xgrad::Array> blobs(std::size_t n) {
    xgrad::Array x = xgrad::random_normal({n, 4}, 0.f, 0.6f);
    xgrad::Array y(xgrad::Array::shape_type{n, 3}, 0.f);
    for (std::size_t i = 0; i < n; ++i) {
        x(i, i % 3) += 2.f;
        y(i, i % 3) = 1.f;
    }
    return {x, y};
}

int main() {
    xgrad::manual_seed(1);
    auto [x, y] = blobs(600);
    auto [x_test, y_test] = blobs(300);

    nn::Sequential model("blobs");
    model.add(nn::Dense(16, "relu", /*input_dim=*/4));
    model.add(nn::Dense(3, "softmax"));
    model.summary();

    model.compile(xgrad::optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
    model.fit(x, y, {.epochs = 10, .batch_size = 32, .verbose = 2});
    auto result = model.evaluate(x_test, y_test);
    std::cout << "test_acc: " << result.at("accuracy") << '\n';
    return result.at("accuracy") >= 0.9 ? 0 : 1;
}
