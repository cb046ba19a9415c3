// The first training step of the MNIST network (Deep Learning with Python, ch. 2), taken apart:
// forward pass, loss, backward pass and RMSprop update, printed as text and written as one
// offline HTML page with pictures (the input digit, a hidden unit's weights and gradient as
// 28x28 heat maps, the softmax output against the label, the gradient norm per layer).
//   mnist_step [--data DIR] [--out FILE] [--sample N] [--unit N] [--seed N] [--batch-size N]   (--help)
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <xgrad/nn.hpp>
#include <xgrad/study.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

namespace {

struct Args {
    std::string data, out = "mnist_step.html";
    long sample = 0, unit = -1, seed = 0, batch = 128;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Records the first training step of Dense(512, relu) -> Dense(10, softmax) on MNIST with RMSprop\n"
                 "(the batch `mnist --seed N` trains on first), prints it step by step (forward, loss, backward,\n"
                 "update) and writes the explorer page with its pictures.",
                 "mnist_step"};
    Args a;
    using xgrad::examples::non_negative;
    app.add_option("--data", a.data, "read the four MNIST files from DIR instead of the cache")->type_name("DIR");
    app.add_option("--out", a.out, "the page to write")->type_name("FILE")->capture_default_str();
    app.add_option("--sample", a.sample, "the batch row followed through the step")->check(non_negative)->type_name("N")->capture_default_str();
    app.add_option("--unit", a.unit, "the hidden unit drawn (default: the one whose weights get the largest gradient)")
        ->check(non_negative)->type_name("N");
    app.add_option("--seed", a.seed, "seed of the weights and the shuffle (as mnist --seed)")->check(non_negative)->type_name("N")->capture_default_str();
    app.add_option("--batch-size", a.batch, "images in the batch")->check(xgrad::examples::positive)->type_name("N")->capture_default_str();
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    const Args* args = &a;
    try {
        xgrad::examples::check_output_file(args->out, "--out");
        manual_seed(static_cast<std::uint64_t>(args->seed));
        auto [train, test] = data::load_mnist(args->data, {.download = args->data.empty()});
        nn::Sequential network;
        network.add(nn::Dense(512, "relu", 28 * 28));
        network.add(nn::Dense(10, "softmax"));
        network.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
        network.optimizer().attach(network.named_parameters());

        // fit's first batch: the first batch_size rows of its first shuffle (same seed, same
        // draws: fit seeds its shuffling generator from the global one, then shuffles).
        const std::size_t n = train.labels.size(), batch = std::size_t(args->batch);
        if (batch > n) throw ValueError("--batch-size " + std::to_string(batch) + " is larger than the " + std::to_string(n) + " training images");
        if (std::size_t(args->sample) >= batch) {
            throw ValueError("--sample " + std::to_string(args->sample) + " is not a row of the batch of " + std::to_string(batch));
        }
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::mt19937_64 shuffle_rng(generator()());
        std::shuffle(order.begin(), order.end(), shuffle_rng);
        Array xb(Array::shape_type{batch, 784}), yb(Array::shape_type{batch, 10}, 0.f);
        for (std::size_t i = 0; i < batch; ++i) {
            std::copy_n(train.images.data() + order[i] * 784, 784, xb.data() + i * 784);
            yb(i, std::size_t(train.labels(order[i]))) = 1.f;
        }
        Tensor images = constant(xb, "images"), labels = constant(yb, "labels");
        Tensor probs = network.forward(images);
        Tensor loss;
        {
            NameScope scope("loss");
            loss = network.loss()(labels, probs);
        }

        const study::TrainingStepRecord step = study::record_training_step(probs, loss, network.optimizer());
        const Tensor kernel = network.named_parameters()[0].second;
        std::size_t unit = std::size_t(args->unit);
        if (args->unit < 0) {  // the unit whose incoming weights get the largest gradient
            const Array& g = step.gradients.at(kernel.id());
            std::vector<double> norms(g.shape()[1], 0.0);
            for (std::size_t i = 0; i < g.shape()[0]; ++i)
                for (std::size_t j = 0; j < g.shape()[1]; ++j) norms[j] += double(g(i, j)) * g(i, j);
            unit = std::size_t(std::max_element(norms.begin(), norms.end()) - norms.begin());
        }

        std::cout << "The first training step on a batch of " << batch << " (loss " << loss.item() << ")\n\n== forward ==\n";
        for (std::size_t k = 0; k < step.forward.size(); ++k) {
            const study::ForwardRecord& r = step.forward[k];
            if (k == step.loss_begin) std::cout << "== loss ==\n";
            std::cout << k + 1 << ". " << study::node_name(r.node) << "  " << r.formula << "\n";
            if (!r.layer_formula.empty()) std::cout << "     layer: " << r.layer_formula << "\n";
            std::cout << "     = " << summarize(r.value, 12, 4) << "\n";
        }
        std::cout << "\n== backward ==\n" << study::trace_table(step.backward, {.max_elements = 4}) << "\n== update ("
                  << step.updater->optimizer() << ") ==\n";
        for (const study::UpdateRecord& r : step.update())
            std::cout << r.param << ": " << r.formula << "\n     after = " << summarize(r.after, 4, 4) << "\n";
        const Array& g = step.gradients.at(kernel.id());
        std::size_t pixel = 0;
        for (std::size_t i = 1; i < 784; ++i)
            if (std::abs(g(i, unit)) > std::abs(g(pixel, unit))) pixel = i;
        std::cout << "\n" << step.updater->worked_example("dense_1.kernel", {pixel, unit});

        study::write_step_explorer(step, {.input = images, .labels = labels, .probs = probs, .kernel = kernel},
                                   args->out, {.sample = std::size_t(args->sample), .unit = unit});
        std::cout << "\nwrote " << args->out << " (" << step.size() << " steps; sample " << args->sample
                  << ", hidden unit " << unit << "; open it in a browser)\n";
    } catch (const Error& e) {
        std::cerr << "mnist_step: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
