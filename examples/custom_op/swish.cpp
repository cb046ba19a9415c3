// A user-defined op from outside the library (docs/core.md): swish(x) = x·σ(x) with its own
// backward, checked by gradcheck, differentiated twice, drawn, and used inside a layer that a
// functional model trains. Exits 1 when a check fails.
#include <cmath>
#include <iostream>
#include <xgrad/xgrad.hpp>

namespace nn = xgrad::nn;

// The op: its name and rule text (diagrams, traces), its value, and its backward written with
// public ops so that create_graph works.
struct Swish : xgrad::Function {
    std::string name() const override { return "swish"; }
    std::string rule() const override { return "d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))"; }
    xgrad::Array forward(const std::vector<xgrad::Tensor>& in) const override {
        return (in[0] * xgrad::sigmoid(in[0])).value();  // apply() runs this without recording
    }
    std::vector<xgrad::Tensor> backward(const xgrad::BackwardContext& c) const override {
        const xgrad::Tensor& x = c.inputs[0];
        xgrad::Tensor s = xgrad::sigmoid(x);
        return {c.grad * s * (1.f + x * (1.f - s))};
    }
};

xgrad::Tensor swish(const xgrad::Tensor& x) { return xgrad::apply(std::make_shared<Swish>(), {x}); }

// A layer using it, so a model can be built from it.
struct SwishLayer : nn::Module {
    xgrad::Tensor forward(const xgrad::Tensor& x) override {
        xgrad::NameScope scope(name().empty() ? "swish" : name());
        return swish(x);
    }
    std::string type_name() const override { return "Swish"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<SwishLayer>(*this); }
};

int main() {
    // 1. The gradient against finite differences.
    auto check = xgrad::gradcheck([](const std::vector<xgrad::Tensor>& in) { return swish(in[0]); },
                                  {xgrad::parameter(xgrad::random_uniform({3, 4}, -3, 3))});
    std::cout << "gradcheck: " << (check.ok ? "ok" : "FAILED") << " (" << check.report << ")\n";

    // 2. Second derivative: d²/dx² swish at 0 is 1/2.
    xgrad::Tensor x = xgrad::parameter(xgrad::Array{0.f}, "x");
    xgrad::Tensor d1 = xgrad::grad({swish(x)}, {x}, {.create_graph = true})[0];
    const float d2 = xgrad::grad({d1}, {x})[0].item();
    std::cout << "d2/dx2 swish(0) = " << d2 << '\n';

    // 3. In a model trained by the engine.
    xgrad::manual_seed(1);
    auto in = nn::Input({2}, "x");
    auto out = nn::Dense(1)(SwishLayer()(nn::Dense(8)(in)));
    nn::Model model({in}, {out}, "swish_net");
    xgrad::Array xs = xgrad::random_uniform({256, 2}, -1, 1);
    xgrad::Array ys(xgrad::Array::shape_type{256, 1});
    for (std::size_t i = 0; i < 256; ++i) ys(i, 0) = 2.f * xs(i, 0) - xs(i, 1) * xs(i, 1);
    model.compile(xgrad::optim::Adam({.learning_rate = 0.02f}), "mse");
    auto h = model.fit(xs, ys, {.epochs = 30, .batch_size = 32, .verbose = 0});
    std::cout << "mse " << h["loss"].front() << " -> " << h["loss"].back() << '\n';
    const std::string dot = xgrad::viz::to_dot(swish(xgrad::parameter(xgrad::Array{1.f}, "t")));
    const bool ok = check.ok && std::abs(d2 - 0.5f) < 1e-5f && h["loss"].back() < 0.1 * h["loss"].front() &&
                    dot.find("swish") != std::string::npos;
    std::cout << (ok ? "custom op: OK" : "custom op: FAILED") << '\n';
    return ok ? 0 : 1;
}
