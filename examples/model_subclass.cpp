// Keras style 3 of 3 (docs/models.md): your own Module with a forward, trained by the shared
// engine - by wrapping it in an nn::Model, or by subclassing nn::Model directly. No training
// loop is written here. Task: regress y = sin(x0) + x1·x2; exits 1 unless the loss drops 5x.
#include <cmath>
#include <iostream>
#include <xgrad/xgrad.hpp>

namespace nn = xgrad::nn;

// Any Module: children registered by name, a forward written with public ops (a residual MLP).
class ResidualMlp : public nn::Module {
public:
    ResidualMlp() {
        in_ = register_module("in", std::make_shared<nn::Dense>(32, "tanh", 3));
        block_ = register_module("block", std::make_shared<nn::Dense>(32, "tanh", 32));
        out_ = register_module("out", std::make_shared<nn::Dense>(1, "linear", 32));
    }
    xgrad::Tensor forward(const xgrad::Tensor& x) override {
        xgrad::Tensor h = (*in_)(x);
        return (*out_)(h + (*block_)(h));  // residual connection
    }
    std::string type_name() const override { return "ResidualMlp"; }

private:
    std::shared_ptr<nn::Module> in_, block_, out_;
};

// The same network as a Model subclass (Keras' `class MyModel(keras.Model)`).
class MyModel : public nn::Model {
public:
    MyModel() : nn::Model("my_model") { net_ = register_module("net", std::make_shared<ResidualMlp>()); }
    xgrad::Tensor forward(const xgrad::Tensor& x) override { return (*net_)(x); }

private:
    std::shared_ptr<nn::Module> net_;
};

int main() {
    xgrad::manual_seed(3);
    const std::size_t n = 512;
    xgrad::Array x = xgrad::random_uniform({n, 3}, -1.5f, 1.5f);
    xgrad::Array y(xgrad::Array::shape_type{n, 1});
    for (std::size_t i = 0; i < n; ++i) y(i, 0) = std::sin(x(i, 0)) + x(i, 1) * x(i, 2);

    // Wrapping: any Module becomes trainable.
    nn::Model wrapped(std::make_shared<ResidualMlp>(), "wrapped");
    wrapped.compile(xgrad::optim::Adam({.learning_rate = 0.01f}), "mse");
    auto h1 = wrapped.fit(x, y, {.epochs = 40, .batch_size = 32, .verbose = 0});
    std::cout << "wrapped:    mse " << h1["loss"].front() << " -> " << h1["loss"].back() << '\n';

    // Subclassing nn::Model: the same engine, callbacks, weights files.
    MyModel sub;
    sub.compile(xgrad::optim::Adam({.learning_rate = 0.01f}), "mse");
    auto h2 = sub.fit(x, y, {.epochs = 40, .batch_size = 32, .verbose = 0});
    std::cout << "subclassed: mse " << h2["loss"].front() << " -> " << h2["loss"].back() << '\n';
    sub.summary();
    const bool ok = h1["loss"].back() * 5 < h1["loss"].front() && h2["loss"].back() * 5 < h2["loss"].front();
    return ok ? 0 : 1;
}
