// How far the ch. 5 convnet's test accuracy moves from one step to the next at the end of
// training: the recipe of examples/mnist_convnet (same seed, same bits), with the test set
// evaluated after every K-th step of the last epoch and after each of its last L steps.
// The final figure equals `mnist_convnet --seed S`'s test_acc (evaluation changes no weight
// and draws no random number). docs/performance.md quotes it for issue 12's per-seed goal.
// With A > 0 alternatives, the state before the very last step is also tried against A other
// steps on random batches of 32 and of 64 training images (weights and optimizer state put
// back after each, the draws from a generator of their own): how far one step can move the
// test accuracy from that state. bench/torch_convnet_last_epoch.py is the PyTorch twin.
//   convnet_last_epoch [seed=1] [every=47] [last=9] [epochs=5] [threads=2] [alternatives=0]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <xgrad/data/mnist.hpp>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "ch5_convnet.hpp"

using namespace xgrad;

namespace {

// Evaluates the test set at the chosen steps of the last epoch and prints one line each.
struct Probe : train::Callback {
    const Array* x = nullptr;
    const Array* y = nullptr;
    const Array* x_train = nullptr;
    const Array* y_train = nullptr;
    int last_epoch = 0, every = 1, last = 0, steps = 0, epoch = 0, alternatives = 0, seed = 1;  // set by main
    void on_epoch_begin(int e, const train::Logs&) override { epoch = e; }
    double test_accuracy() { return model()->evaluate(*x, *y, {.batch_size = 500, .verbose = 0}).at("accuracy"); }
    void on_batch_end(int batch, const train::Logs&) override {
        const int step = batch + 1;
        if (epoch != last_epoch) return;
        if (step % every == 0 || step > steps - last) {
            std::printf("epoch %d step %4d/%d test_acc %.4f\n", epoch + 1, step, steps, test_accuracy());
            std::fflush(stdout);
        }
        if (step == steps - 1 && alternatives > 0) try_alternatives();
    }
    // A alternative steps from the current state on random batches of 32 and 64; the state is
    // put back after each one, so the run goes on exactly as without them.
    void try_alternatives() {
        nn::Model& net = *model();
        optim::Optimizer& opt = net.optimizer();
        std::vector<Tensor> params = net.parameters();
        std::vector<Tensor> saved;
        for (const Tensor& p : params) saved.push_back(constant(Array(p.value())));
        const optim::State state = opt.state();
        const double before = test_accuracy();
        std::mt19937_64 rng(1000 + std::uint64_t(seed));  // not xgrad's generator: the run's draws stay as they were
        const std::size_t n = x_train->shape()[0], pixels = x_train->size() / n, classes = y_train->size() / n;
        std::vector<std::size_t> order(n);
        for (std::size_t size : {std::size_t(32), std::size_t(64)}) {
            std::vector<double> deltas;
            for (int i = 0; i < alternatives; ++i) {
                std::iota(order.begin(), order.end(), std::size_t(0));
                std::shuffle(order.begin(), order.end(), rng);
                Array::shape_type image_batch = x_train->shape();  // (size, 28, 28, 1)
                image_batch[0] = size;
                Array xb(image_batch);
                Array yb = xt::zeros<float>({size, classes});
                for (std::size_t r = 0; r < size; ++r) {
                    std::copy_n(x_train->data() + order[r] * pixels, pixels, xb.data() + r * pixels);
                    std::copy_n(y_train->data() + order[r] * classes, classes, yb.data() + r * classes);
                }
                opt.zero_grad();
                losses::categorical_crossentropy(constant(yb), net(constant(xb))).backward();
                opt.step();
                deltas.push_back(test_accuracy() - before);
                {
                    NoGradGuard no_grad;
                    for (std::size_t p = 0; p < params.size(); ++p) params[p].copy_(saved[p]);
                }
                opt.load_state(state);
            }
            opt.zero_grad();
            std::sort(deltas.begin(), deltas.end());
            const double mean = std::accumulate(deltas.begin(), deltas.end(), 0.0) / double(deltas.size());
            std::printf("alternatives: %d steps on random batches of %zu from the state after step %d (test_acc %.4f): "
                        "change min %+.4f median %+.4f mean %+.4f max %+.4f\n",
                        alternatives, size, steps - 1, before, deltas.front(), deltas[deltas.size() / 2], mean,
                        deltas.back());
            std::fflush(stdout);
        }
    }
};

int arg(int argc, char** argv, int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; }

}  // namespace

int main(int argc, char** argv) {
    const int seed = arg(argc, argv, 1, 1), every = arg(argc, argv, 2, 47), last = arg(argc, argv, 3, 9);
    const int epochs = arg(argc, argv, 4, 5), threads = arg(argc, argv, 5, 2), alternatives = arg(argc, argv, 6, 0);
    if (every < 1 || last < 0 || epochs < 1 || threads < 1 || alternatives < 0) {
        std::fprintf(stderr, "usage: convnet_last_epoch [seed=1] [every=47 >= 1] [last=9 >= 0] [epochs=5 >= 1] [threads=2 >= 1] "
                             "[alternatives=0 >= 0]\n");
        return 2;
    }
    try {
        set_num_threads(threads);
        manual_seed(static_cast<std::uint64_t>(seed));
        constexpr std::size_t batch = 64;                // the listing's batch size
        nn::Sequential model = bench::ch5_convnet();  // examples/mnist_convnet.cpp, layer for layer
        auto [train, test] = data::load_mnist("", {.download = true, .flatten = false, .scale = true});
        const std::size_t n_train = train.images.shape()[0], n_test = test.images.shape()[0];
        train.images.reshape({n_train, std::size_t(28), std::size_t(28), std::size_t(1)});
        test.images.reshape({n_test, std::size_t(28), std::size_t(28), std::size_t(1)});
        const Array y_train = data::to_categorical(train.labels, 10), y_test = data::to_categorical(test.labels, 10);
        model.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});

        auto probe = std::make_shared<Probe>();
        probe->x = &test.images;
        probe->y = &y_test;
        probe->last_epoch = epochs - 1;
        probe->every = every;
        probe->last = last;
        probe->steps = static_cast<int>((n_train + batch - 1) / batch);
        probe->x_train = &train.images;
        probe->y_train = &y_train;
        probe->alternatives = alternatives;
        probe->seed = seed;
        model.fit(train.images, y_train,
                  {.epochs = static_cast<std::size_t>(epochs), .batch_size = batch, .verbose = 0, .callbacks = {probe},
                   .adapt_threads = false});
        const double acc = model.evaluate(test.images, y_test, {.batch_size = 128, .verbose = 0}).at("accuracy");
        std::printf("RESULT seed=%d test_acc=%.4f\n", seed, acc);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "convnet_last_epoch: %s\n", e.what());
        return 1;
    }
    return 0;
}
