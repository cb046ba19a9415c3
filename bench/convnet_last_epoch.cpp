// How far the ch. 5 convnet's test accuracy moves from one step to the next at the end of
// training: the recipe of examples/mnist_convnet (same seed, same bits), with the test set
// evaluated after every K-th step of the last epoch and after each of its last L steps.
// The final figure equals `mnist_convnet --seed S`'s test_acc (evaluation changes no weight
// and draws no random number). docs/performance.md quotes it for issue 12's per-seed goal.
//   convnet_last_epoch [seed=1] [every=47] [last=9] [epochs=5] [threads=2]
#include <cstdio>
#include <cstdlib>
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
    int last_epoch = 0, every = 1, last = 0, steps = 0, epoch = 0;  // set by main
    void on_epoch_begin(int e, const train::Logs&) override { epoch = e; }
    void on_batch_end(int batch, const train::Logs&) override {
        const int step = batch + 1;
        if (epoch != last_epoch || (step % every != 0 && step <= steps - last)) return;
        const double acc = model()->evaluate(*x, *y, {.batch_size = 500, .verbose = 0}).at("accuracy");
        std::printf("epoch %d step %4d/%d test_acc %.4f\n", epoch + 1, step, steps, acc);
        std::fflush(stdout);
    }
};

int arg(int argc, char** argv, int i, int fallback) { return argc > i ? std::atoi(argv[i]) : fallback; }

}  // namespace

int main(int argc, char** argv) {
    const int seed = arg(argc, argv, 1, 1), every = arg(argc, argv, 2, 47), last = arg(argc, argv, 3, 9);
    const int epochs = arg(argc, argv, 4, 5), threads = arg(argc, argv, 5, 2);
    if (every < 1 || last < 0 || epochs < 1 || threads < 1) {
        std::fprintf(stderr, "usage: convnet_last_epoch [seed=1] [every=47 >= 1] [last=9 >= 0] [epochs=5 >= 1] [threads=2 >= 1]\n");
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
