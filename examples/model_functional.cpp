// Keras style 2 of 3 (docs/models.md): the functional API. Two inputs, a residual block, a
// concatenation and two outputs with their own losses and loss weights, trained by the shared
// engine. Task: the class is (sign of a[0]) XOR (sign of b[0]) - neither input alone tells it -
// and the second output regresses a[0]·b[0]. Exits 1 below 90% test accuracy. Then the whole
// model goes to a file and back (Keras' model.save / load_model): the same predictions.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <xgrad/xgrad.hpp>

namespace nn = xgrad::nn;

struct Data {
    xgrad::Array a, b, label, product;
};

Data make_data(std::size_t n) {
    Data d{xgrad::random_uniform({n, 8}, -1, 1), xgrad::random_uniform({n, 4}, -1, 1),
           xgrad::Array(xgrad::Array::shape_type{n, 2}, 0.f), xgrad::Array(xgrad::Array::shape_type{n, 1})};
    for (std::size_t i = 0; i < n; ++i) {
        d.a(i, 0) += d.a(i, 0) >= 0 ? 0.3f : -0.3f;  // keep the deciding signs clear of 0
        d.b(i, 0) += d.b(i, 0) >= 0 ? 0.3f : -0.3f;
        d.label(i, (d.a(i, 0) > 0) != (d.b(i, 0) > 0) ? 1 : 0) = 1.f;
        d.product(i, 0) = d.a(i, 0) * d.b(i, 0);
    }
    return d;
}

int main() {
    xgrad::manual_seed(7);
    Data train = make_data(1000), test = make_data(400);

    auto a = nn::Input({8}, "a");
    auto b = nn::Input({4}, "b");
    auto h = nn::Dense(32, "relu")(a);
    auto r = nn::Dense(32, "relu")(h);
    auto z = nn::concatenate({nn::add({h, r}), nn::Dense(16, "relu")(b)});   // residual add, concat
    auto mixed = nn::Dense(32, "relu")(z);
    auto label = nn::Dense(nn::DenseOptions{.units = 2, .activation = nn::Activation::Softmax, .name = "label"})(mixed);
    auto product = nn::Dense(nn::DenseOptions{.units = 1, .name = "product"})(mixed);
    nn::Model model({a, b}, {label, product}, "two_inputs");
    model.summary();

    model.compile(xgrad::optim::Adam({.learning_rate = 0.005f}),
                  {.loss = {"categorical_crossentropy", "mse"}, .loss_weights = {1.0, 0.5},
                   .output_metrics = {{"accuracy"}, {}}});
    auto history = model.fit({train.a, train.b}, {train.label, train.product},
                             {.epochs = 30, .batch_size = 32, .verbose = 0});
    std::cout << "epochs: " << history.epochs << ", last label_loss " << history["label_loss"].back()
              << ", product_loss " << history["product_loss"].back() << '\n';

    auto result = model.evaluate({test.a, test.b}, {test.label, test.product});
    std::vector<xgrad::Array> predictions = model.predict({test.a, test.b});  // one Array per output
    std::cout << "test label_accuracy: " << result.at("label_accuracy") << ", product_loss: " << result.at("product_loss")
              << ", predictions: " << predictions.size() << " arrays\n";

    // The architecture, weights, compile configuration and optimizer state in one file; the
    // model comes back without this program's layer code, compiled, ready to train on.
    const std::string path =
        (std::filesystem::temp_directory_path() / ("model_functional_" + std::to_string(::getpid()) + ".xgrad")).string();
    model.save(path);
    std::shared_ptr<nn::Model> loaded = xgrad::train::load_model(path);
    std::remove(path.c_str());
    const bool same = loaded->predict({test.a, test.b})[0] == predictions[0];
    std::cout << "saved and loaded '" << loaded->name() << "': " << (same ? "same" : "DIFFERENT") << " predictions\n";
    return result.at("label_accuracy") >= 0.9 && same ? 0 : 1;
}
