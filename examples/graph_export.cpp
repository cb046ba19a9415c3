// Diagrams of the MNIST network (784-512-10) built by hand from core ops: the forward graph
// with layers as clusters, the same graph collapsed into one box per layer, and the gradient
// graph of the loss. Also a tiny graph whose pictures fit on a page.
//   graph_export [output_dir]   (default: diagrams/)
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <xgrad/viz.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

namespace {

// Glorot-uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
Tensor glorot(std::size_t fan_in, std::size_t fan_out, const std::string& label) {
    const float l = std::sqrt(6.f / float(fan_in + fan_out));
    return parameter(random_uniform({fan_in, fan_out}, -l, l), label);
}

Tensor dense(const Tensor& x, std::size_t in, std::size_t out, const std::string& name, bool relu_out) {
    NameScope scope(name);
    Tensor kernel = glorot(in, out, name + ".kernel");
    Tensor bias = parameter(Array(Array::shape_type{out}, 0.f), name + ".bias");
    Tensor z = matmul(x, kernel) + bias;
    return relu_out ? relu(z) : z;
}

// The picture, and its DOT text next to it (same name, .dot).
void write(const std::string& dot, const std::filesystem::path& path) {
    viz::render(dot, path.string());
    std::filesystem::path text = path;
    viz::render(dot, text.replace_extension(".dot").string());
    std::cout << "wrote " << path.string() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Renders the MNIST network's graph (forward, layers, gradient heat map, backward) to SVG,\n"
                 "PNG and DOT files in OUTPUT_DIR, with the time each rendering takes.",
                 "graph_export"};
    std::string out = "diagrams";
    app.add_option("output_dir", out, "where the pictures go")->capture_default_str();
    if (auto status = examples::parse(app, argc, argv)) return *status;
    try {
        examples::prepare_output_dir(out, "output_dir");
        const std::filesystem::path dir = out;
        manual_seed(42);

        // A batch of two random "images" and one-hot labels: the picture needs no real data.
        Tensor images = constant(random_uniform({2, 784}), "images");
        Array onehot(Array::shape_type{2, 10}, 0.f);
        onehot(0, 3) = 1.f;
        onehot(1, 7) = 1.f;
        Tensor labels = constant(onehot, "labels");

        Tensor hidden = dense(images, 784, 512, "dense_1", true);
        Tensor logits = dense(hidden, 512, 10, "dense_2", false);
        Tensor loss = neg(mean(sum(labels * log_softmax(logits), {1})));
        loss.set_label("loss");
        loss.backward(/*retain_graph=*/true);

        viz::DotOptions expanded;
        expanded.title = "MNIST network, forward (batch of 2)";
        using clock = std::chrono::steady_clock;
        auto ms_since = [](clock::time_point t) {
            return std::chrono::duration<double, std::milli>(clock::now() - t).count();
        };
        auto t0 = clock::now();
        const std::string forward_dot = viz::to_dot(loss, expanded);
        const double dot_ms = ms_since(t0);
        t0 = clock::now();
        viz::render(forward_dot, (dir / "mnist_forward.svg").string());
        const double first_ms = ms_since(t0);  // includes loading Graphviz's plugins and fonts
        t0 = clock::now();
        write(forward_dot, dir / "mnist_forward.svg");
        const double again_ms = ms_since(t0);
        std::cout << "expanded diagram: to_dot " << dot_ms << " ms, render to SVG " << first_ms
                  << " ms (first in this process), " << again_ms << " ms (again, with the .dot text)\n";

        // The model alone (up to the logits), one box per layer, like Keras' plot_model.
        viz::DotOptions collapsed;
        collapsed.title = "MNIST network, layers";
        write(viz::model_dot(logits, collapsed), dir / "mnist_layers.svg");
        write(viz::model_dot(logits, collapsed), dir / "mnist_layers.png");

        viz::DotOptions heat;
        heat.title = "MNIST network, coloured by log10 |grad|";
        heat.color_by_grad = true;
        write(viz::to_dot(loss, heat), dir / "mnist_grad_heat.svg");

        viz::DotOptions backward;
        backward.title = "MNIST network, gradient graph";
        write(viz::backward_to_dot(loss, backward), dir / "mnist_backward.svg");

        // A tiny graph: a used twice (+=), a bias broadcast over rows (sum over axis 0).
        Tensor a = parameter(Array{{1.f, -2.f, 3.f}, {0.5f, 1.f, -1.f}}, "a");
        Tensor b = parameter(Array{0.1f, 0.2f, 0.3f}, "b");
        Tensor y = sum(a * a + b);
        y.set_label("y");
        y.backward(/*retain_graph=*/true);
        viz::DotOptions small;
        small.rankdir = "LR";
        write(viz::to_dot(y, small), dir / "tiny_forward.svg");
        write(viz::backward_to_dot(y, small), dir / "tiny_backward.svg");
        return 0;
    } catch (const Error& e) {
        std::cerr << "graph_export: " << e.what() << "\n";
        return 1;
    }
}
