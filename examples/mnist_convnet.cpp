// The convnet of Deep Learning with Python, ch. 5 (listings 5.1-5.3), line for line in C++.
// Each block is paired with its Keras original in a comment.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <string>
#include <sys/resource.h>
#include <xtensor/xmath.hpp>
#include <xtensor/xview.hpp>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"
#include "common/onnx_export.hpp"

namespace {

struct Args {
    std::string data;
    int epochs = 5;
    int batch_size = 64;
    long seed = 0;
    int threads = 0;
    long subset = 0;
    std::string save, graph, export_onnx;
    bool bench = false;
};

// Times each epoch, for --bench.
class EpochTimer : public xgrad::train::Callback {
public:
    void on_epoch_begin(int, const xgrad::train::Logs&) override { start_ = std::chrono::steady_clock::now(); }
    void on_epoch_end(int, const xgrad::train::Logs&) override {
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
    std::vector<double> seconds;

private:
    std::chrono::steady_clock::time_point start_;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// MNIST as keras.datasets.mnist.load_data() returns it: images (N, 28, 28) holding the bytes
// 0..255 as floats. xgrad's loader scales to [0, 1] (N, 784); this undoes the scaling exactly
// (every value is byte/255), in place, so that the listing's own reshape and /255 lines run.
xgrad::Array as_loaded_by_keras(xgrad::Array images) {
    for (auto& v : images) v = std::round(v * 255.f);
    images.reshape({images.shape()[0], std::size_t(28), std::size_t(28)});
    return images;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    CLI::App app{"Trains the ch. 5 convnet of Deep Learning with Python on MNIST with RMSprop and prints test_acc.\n"
                 "The data is fetched on first use into $XGRAD_DATA_DIR or ~/.cache/xgrad/mnist (or read from --data DIR).",
                 "mnist_convnet"};
    app.add_option("--data", args.data, "MNIST folder (only read, never downloaded into)");
    app.add_option("--epochs", args.epochs, "epochs")->check(CLI::PositiveNumber);
    app.add_option("--batch-size", args.batch_size, "batch size")->check(CLI::PositiveNumber);
    app.add_option("--seed", args.seed, "random seed (initialisation, shuffling)")->check(CLI::NonNegativeNumber);
    app.add_option("--threads", args.threads, "OpenBLAS threads (default: all cores)")->check(CLI::PositiveNumber);
    app.add_option("--subset", args.subset, "train on the first N images only (quick runs)")->check(CLI::PositiveNumber);
    app.add_option("--save", args.save, "write the trained weights and optimizer state");
    app.add_option("--graph", args.graph, "write the network's diagram (collapsed layers; .svg, .png, .dot)");
    app.add_option("--export-onnx", args.export_onnx, "write the trained network as ONNX (docs/interop.md)");
    app.add_flag("--bench", args.bench, "print a machine-readable RESULT line (bench/bench_convnet.sh)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help exits 0; a bad command line is a usage error (2), as for examples/mnist.
        return app.exit(e) == 0 ? 0 : 2;
    }

    try {
        xgrad::examples::check_export_onnx(args.export_onnx);  // before any work
        if (args.threads > 0) xgrad::set_num_threads(args.threads);
        xgrad::manual_seed(static_cast<std::uint64_t>(args.seed));
        using namespace xgrad::nn;

        // model = models.Sequential()
        // model.add(layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
        // model.add(layers.MaxPooling2D((2, 2)))
        // model.add(layers.Conv2D(64, (3, 3), activation='relu'))
        // model.add(layers.MaxPooling2D((2, 2)))
        // model.add(layers.Conv2D(64, (3, 3), activation='relu'))
        Sequential model;
        model.add(Conv2D(32, {3, 3}, "relu", {.input_shape = {28, 28, 1}}));
        model.add(MaxPooling2D({2, 2}));
        model.add(Conv2D(64, {3, 3}, "relu"));
        model.add(MaxPooling2D({2, 2}));
        model.add(Conv2D(64, {3, 3}, "relu"));

        // model.add(layers.Flatten())
        // model.add(layers.Dense(64, activation='relu'))
        // model.add(layers.Dense(10, activation='softmax'))
        model.add(Flatten());
        model.add(Dense(64, "relu"));
        model.add(Dense(10, "softmax"));

        // model.summary()
        model.summary();

        // (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
        auto [train, test] = xgrad::data::load_mnist(args.data, {.download = args.data.empty()});
        xgrad::Array train_images = as_loaded_by_keras(std::move(train.images));
        xgrad::Array test_images = as_loaded_by_keras(std::move(test.images));
        xgrad::Array train_labels = std::move(train.labels), test_labels = std::move(test.labels);
        if (args.subset > 0 && static_cast<std::size_t>(args.subset) < train_labels.size()) {
            const auto n = static_cast<std::size_t>(args.subset);
            train_images = xgrad::Array(xt::view(train_images, xt::range(0, n)));
            train_labels = xgrad::Array(xt::view(train_labels, xt::range(0, n)));
        }
        const std::size_t n_train = train_images.shape()[0], n_test = test_images.shape()[0];

        // train_images = train_images.reshape((60000, 28, 28, 1))
        // train_images = train_images.astype('float32') / 255
        train_images.reshape({n_train, std::size_t(28), std::size_t(28), std::size_t(1)});
        train_images /= 255.f;

        // test_images = test_images.reshape((10000, 28, 28, 1))
        // test_images = test_images.astype('float32') / 255
        test_images.reshape({n_test, std::size_t(28), std::size_t(28), std::size_t(1)});
        test_images /= 255.f;

        // train_labels = to_categorical(train_labels)
        // test_labels = to_categorical(test_labels)
        train_labels = xgrad::data::to_categorical(train_labels, 10);
        test_labels = xgrad::data::to_categorical(test_labels, 10);

        // model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
        model.compile(xgrad::optim::RMSprop(), "categorical_crossentropy", {"accuracy"});

        // model.fit(train_images, train_labels, epochs=5, batch_size=64)
        auto timer = std::make_shared<EpochTimer>();
        model.fit(train_images, train_labels,
                  {.epochs = static_cast<std::size_t>(args.epochs),
                   .batch_size = static_cast<std::size_t>(args.batch_size),
                   .callbacks = {timer}});

        // test_loss, test_acc = model.evaluate(test_images, test_labels)
        auto result = model.evaluate(test_images, test_labels, {.batch_size = 128});

        // test_acc
        std::cout << "test_acc: " << result.at("accuracy") << '\n';

        if (!args.save.empty()) model.save_weights(args.save);
        xgrad::examples::export_onnx(model, args.export_onnx,
                                     "xgrad MNIST convnet (Deep Learning with Python, ch. 5): input (batch, 28, 28, 1) in [0, 1], "
                                     "output (batch, 10) probabilities");
        if (!args.graph.empty()) {
            // The network's graph on two test images, each layer drawn as one box (plot_model).
            xgrad::Tensor two = xgrad::slice_rows(xgrad::constant(test_images), 0, 2);
            two.set_label("images");
            xgrad::viz::render(xgrad::viz::model_dot(model.forward(two), {.title = "mnist convnet"}), args.graph);
            std::cout << "diagram: " << args.graph << '\n';
        }
        if (args.bench) {
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            std::cout << "RESULT epoch_seconds_median=" << median(timer->seconds)
                      << " test_acc=" << result.at("accuracy") << " peak_rss_mb=" << usage.ru_maxrss / 1024.0
                      << " epochs=" << args.epochs << " threads=" << xgrad::num_threads() << '\n';
        }
    } catch (const xgrad::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "unexpected error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
