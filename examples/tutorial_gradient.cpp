// Tutorial, section 2: derivative and gradient.
//   tutorial_gradient [picture_dir]   (pictures only when a directory is given)
// The derivative of f at x is the slope of f near x; the gradient of loss_value with respect to W
// is the tensor of such slopes, one per entry of W, and -gradient is the way down.
#include <filesystem>
#include <iostream>
#include <xgrad/viz.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

int main(int argc, char** argv) {
    CLI::App app{"Tutorial, section 2: derivative and gradient, by finite differences and by backward().",
                 "tutorial_gradient"};
    std::string picture_dir;
    app.add_option("picture_dir", picture_dir, "also draw the gradient graph into DIR (docs/tutorial)")->type_name("DIR");
    if (auto status = examples::parse(app, argc, argv)) return *status;
    try {
        if (!picture_dir.empty()) examples::prepare_output_dir(picture_dir, "picture_dir");
    } catch (const Error& e) {
        std::cerr << "tutorial_gradient: " << e.what() << '\n';
        return 1;
    }
    // 1. A derivative: f(x) = x^3 - 2x at x = 1.5, f'(x) = 3x^2 - 2 = 4.75.
    const float x0 = 1.5f, eps = 1e-3f;
    auto f = [](float x) { return x * x * x - 2.f * x; };
    Tensor x = parameter(Array(x0), "x");
    Tensor fx = pow(x, 3.f) - 2.f * x;
    fx.backward();
    std::cout << "f(x) = x^3 - 2x at x = " << x0 << "\n"
              << "  slope from two nearby points (f(x+eps) - f(x-eps)) / 2eps = " << (f(x0 + eps) - f(x0 - eps)) / (2 * eps) << "\n"
              << "  derivative by backward(): " << x.grad().item() << "   (by hand: 3x^2 - 2 = 4.75)\n\n";

    // 2. A gradient: y_pred = dot(W, x), loss_value = mean((y_pred - y_true)^2).
    Tensor W = parameter(Array{{0.2f, -0.1f, 0.4f}, {0.5f, 0.3f, -0.2f}}, "W");
    Tensor input = constant(Array{1.f, 2.f, 3.f}, "x");
    Tensor y_true = constant(Array{1.f, 0.f}, "y_true");
    auto loss_of = [&](const Tensor& w) {
        Tensor y_pred = matmul(w, input).set_label("y_pred");
        return mean(square(y_pred - y_true)).set_label("loss_value");
    };
    Tensor loss_value = loss_of(W);
    loss_value.backward(/*retain_graph=*/true);
    std::cout << "loss_value = " << loss_value.item() << "\n"
              << "gradient of loss_value with respect to W:\n" << W.grad().value() << "\n\n";

    // 3. One step against the gradient lowers the loss (for a small enough step).
    for (float step : {0.01f, 0.1f, 0.5f}) {
        NoGradGuard no_grad;
        Tensor W1 = constant(W.value() - step * W.grad().value());
        std::cout << "W1 = W - " << step << " * gradient:  loss " << loss_of(W1).item() << "\n";
    }

    if (!picture_dir.empty()) {
        const std::string path = (std::filesystem::path(picture_dir) / "gradient_graph.svg").string();
        viz::DotOptions o;
        o.legend = false;
        o.title = "y_pred = dot(W, x), loss_value = mean((y_pred - y_true)^2), with grad of W";
        viz::render(viz::to_dot(loss_value, o), path);
        std::cout << "\nwrote " << path << "\n";
    }
    return 0;
}
