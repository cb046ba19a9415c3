// How far the ch. 5 convnet's test accuracy moves from one step to the next at the end of
// training: the recipe of examples/mnist_convnet (same seed, same bits), with the test set
// evaluated after every K-th step of the last epoch and after each of its last L steps.
// The final figure equals `mnist_convnet --seed S`'s test_acc (evaluation changes no weight
// and draws no random number). docs/performance.md quotes it for issue 12's per-seed goal.
// With A > 0 alternatives, the state before the very last step is also tried against A other
// steps on random batches of 32 and of 64 training images (weights and optimizer state put
// back after each, the draws from a generator of their own): how far one step can move the
// test accuracy from that state. bench/torch_convnet_last_epoch.py is the PyTorch twin.
// With a DUMP directory, the run also writes what PyTorch needs to take the same steps from the
// same state (bench/torch_same_state.py): the weights and RMSprop state before and after the
// last step (xgrad weights files), the last step's sample indices, and every alternative's
// indices with its change in test accuracy.
//   convnet_last_epoch [seed=1] [every=47] [last=9] [epochs=5] [threads=2] [alternatives=0] [dump]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
    std::size_t batch = 0;                                                                       // set by main
    std::string dump;                                                                            // set by main
    // The engine's permutation, replayed: fit seeds its shuffling generator with the next draw
    // of xgrad's generator (nothing draws between on_train_begin and that seed) and shuffles
    // once per epoch, so a copy of the generator gives the same order of samples.
    std::mt19937_64 shuffle_rng;
    std::vector<std::size_t> order;
    std::ofstream alternatives_out;
    void on_train_begin(const train::Logs&) override {
        std::mt19937_64 copy = generator();
        shuffle_rng.seed(copy());
        order.resize(x_train->shape()[0]);
        std::iota(order.begin(), order.end(), std::size_t(0));
    }
    void on_epoch_begin(int e, const train::Logs&) override {
        epoch = e;
        std::shuffle(order.begin(), order.end(), shuffle_rng);
    }
    double test_accuracy() { return model()->evaluate(*x, *y, {.batch_size = 500, .verbose = 0}).at("accuracy"); }
    void on_batch_end(int batch, const train::Logs& logs) override {
        const int step = batch + 1;
        if (epoch != last_epoch) return;
        if (step % every == 0 || step > steps - last) {
            std::printf("epoch %d step %4d/%d test_acc %.4f\n", epoch + 1, step, steps, test_accuracy());
            std::fflush(stdout);
        }
        if (epoch == last_epoch && !dump.empty() && step == steps - 1) dump_before_last_step();
        if (epoch == last_epoch && !dump.empty() && step == steps) {
            model()->save_weights(dump + "/after.xgw");
            std::printf("dump: the last step's own loss %.6f (the engine's log)\n", logs.at("loss"));
        }
        if (step == steps - 1 && alternatives > 0) try_alternatives();
    }
    // Rows `rows` of the training set as one batch (images, one-hot labels).
    std::pair<Array, Array> batch_of(std::span<const std::size_t> rows) const {
        const std::size_t n = x_train->shape()[0], pixels = x_train->size() / n, classes = y_train->size() / n;
        Array::shape_type image_batch = x_train->shape();  // (rows, 28, 28, 1)
        image_batch[0] = rows.size();
        Array xb(image_batch);
        Array yb = xt::zeros<float>({rows.size(), classes});
        for (std::size_t r = 0; r < rows.size(); ++r) {
            std::copy_n(x_train->data() + rows[r] * pixels, pixels, xb.data() + r * pixels);
            std::copy_n(y_train->data() + rows[r] * classes, classes, yb.data() + r * classes);
        }
        return {std::move(xb), std::move(yb)};
    }
    // The loss the engine minimises: softmax fused with cross-entropy, on the logits.
    Tensor training_loss(const Array& xb, const Array& yb) {
        return losses::softmax_cross_entropy(model()->forward_all({constant(xb)}, {true})[0], constant(yb));
    }
    void dump_before_last_step() {
        model()->save_weights(dump + "/before.xgw");
        const std::size_t begin = std::size_t(steps - 1) * batch;
        const std::span<const std::size_t> rows(order.data() + begin, order.size() - begin);
        std::ofstream out(dump + "/last_batch.txt");
        for (std::size_t r : rows) out << r << "\n";
        const auto [xb, yb] = batch_of(rows);
        NoGradGuard no_grad;
        std::printf("dump: the replayed last batch's loss %.6f (%zu samples)\n", training_loss(xb, yb).item(), rows.size());
        alternatives_out.open(dump + "/alternatives.txt");
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
        std::vector<std::size_t> drawn(x_train->shape()[0]);
        for (std::size_t size : {std::size_t(32), std::size_t(64)}) {
            std::vector<double> deltas;
            for (int i = 0; i < alternatives; ++i) {
                std::iota(drawn.begin(), drawn.end(), std::size_t(0));
                std::shuffle(drawn.begin(), drawn.end(), rng);
                const std::span<const std::size_t> rows(drawn.data(), size);
                const auto [xb, yb] = batch_of(rows);
                opt.zero_grad();
                training_loss(xb, yb).backward();
                opt.step();
                deltas.push_back(test_accuracy() - before);
                if (alternatives_out.is_open()) {
                    alternatives_out << deltas.back();
                    for (std::size_t r : rows) alternatives_out << ' ' << r;
                    alternatives_out << '\n';
                }
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
    const std::string dump = argc > 7 ? argv[7] : "";
    if (every < 1 || last < 0 || epochs < 1 || threads < 1 || alternatives < 0) {
        std::fprintf(stderr, "usage: convnet_last_epoch [seed=1] [every=47 >= 1] [last=9 >= 0] [epochs=5 >= 1] [threads=2 >= 1] "
                             "[alternatives=0 >= 0] [dump directory]\n");
        return 2;
    }
    try {
        if (!dump.empty()) std::filesystem::create_directories(dump);
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
        probe->batch = batch;
        probe->steps = static_cast<int>((n_train + batch - 1) / batch);
        probe->x_train = &train.images;
        probe->y_train = &y_train;
        probe->alternatives = alternatives;
        probe->seed = seed;
        probe->dump = dump;
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
