// The MNIST listing of Deep Learning with Python, ch. 2, line for line in C++.
// Each block is paired with its Keras original in a comment.
#include <algorithm>
#include <chrono>
#include <sys/resource.h>
#include <iostream>
#include <string>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"
#include "common/onnx_export.hpp"

namespace {

struct Args {
    std::string data;
    int epochs = 5;
    int batch_size = 128;
    long seed = 0;
    int threads = 0;
    long subset = 0;
    std::string save, graph, export_onnx;
    bool bench = false;
};

// The command line; every flag is in `mnist --help`.
void add_flags(CLI::App& app, Args& a) {
    app.add_option("--data", a.data, "read the four MNIST files from DIR (raw or .gz) instead of the cache")
        ->type_name("DIR");
    using xgrad::examples::positive;
    app.add_option("--epochs", a.epochs, "passes over the training set")->check(positive)->type_name("N")->capture_default_str();
    app.add_option("--batch-size", a.batch_size, "images per step")->check(positive)->type_name("N")->capture_default_str();
    app.add_option("--seed", a.seed, "seed of the weights' initialisation and the shuffles")
        ->check(xgrad::examples::non_negative)->type_name("N")->capture_default_str();
    app.add_option("--threads", a.threads, "threads for the matrix products (default: adaptive)")->check(positive)->type_name("N");
    app.add_option("--subset", a.subset, "train on the first N images only (quick runs)")->check(positive)->type_name("N");
    app.add_option("--save", a.save, "write the trained weights and optimizer state to FILE")->type_name("FILE");
    app.add_option("--graph", a.graph, "write the network's diagram (collapsed layers) to FILE: .svg, .png, .pdf or .dot")
        ->check(xgrad::examples::extension_in({".svg", ".png", ".pdf", ".dot"}))->type_name("FILE");
    app.add_option("--export-onnx", a.export_onnx,
                   "write the trained network to FILE as ONNX, for ONNX Runtime or Netron (docs/interop.md)")
        ->type_name("FILE");
    app.add_flag("--bench", a.bench, "print a machine-readable RESULT line (bench/bench_mnist.sh)");
}

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

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Trains Dense(512, relu) -> Dense(10, softmax) on MNIST with RMSprop, as in Deep Learning with\n"
                 "Python, ch. 2, and prints test_acc. The data is fetched on first use into $XGRAD_DATA_DIR or\n"
                 "~/.cache/xgrad/mnist (or read from --data DIR).",
                 "mnist"};
    Args args;
    add_flags(app, args);
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    try {
        // Output paths first: a typo must not cost a whole training run.
        xgrad::examples::check_output_file(args.save, "--save");
        xgrad::examples::check_output_file(args.graph, "--graph");
        xgrad::examples::check_export_onnx(args.export_onnx);
        if (args.threads > 0) xgrad::set_num_threads(args.threads);
        xgrad::manual_seed(static_cast<std::uint64_t>(args.seed));

        // from tensorflow.keras.datasets import mnist
        // (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
        auto [train, test] = xgrad::data::load_mnist(args.data, {.download = args.data.empty()});  // a folder the user names is only read
        if (args.subset > 0 && static_cast<std::size_t>(args.subset) < train.labels.size()) {
            const auto n = static_cast<std::size_t>(args.subset);
            train.images = xgrad::slice_rows(xgrad::constant(train.images), 0, n).value();
            train.labels = xgrad::slice_rows(xgrad::constant(train.labels), 0, n).value();
        }

        // network = models.Sequential()
        // network.add(layers.Dense(512, activation='relu', input_shape=(28 * 28,)))
        // network.add(layers.Dense(10, activation='softmax'))
        xgrad::nn::Sequential network;
        network.add(xgrad::nn::Dense(512, "relu", /*input_dim=*/28 * 28));
        network.add(xgrad::nn::Dense(10, "softmax"));

        // network.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
        network.compile(xgrad::optim::RMSprop(), "categorical_crossentropy", {"accuracy"});

        // train_images = train_images.reshape((60000, 28 * 28)).astype('float32') / 255
        // (load_mnist already returns (N, 784) float32 scaled to [0, 1])
        // train_labels = to_categorical(train_labels)
        xgrad::Array train_labels = xgrad::data::to_categorical(train.labels, 10);
        xgrad::Array test_labels = xgrad::data::to_categorical(test.labels, 10);

        // network.fit(train_images, train_labels, epochs=5, batch_size=128)
        auto timer = std::make_shared<EpochTimer>();
        network.fit(train.images, train_labels,
                    {.epochs = static_cast<std::size_t>(args.epochs),
                     .batch_size = static_cast<std::size_t>(args.batch_size),
                     .callbacks = {timer}});

        // test_loss, test_acc = network.evaluate(test_images, test_labels)
        auto result = network.evaluate(test.images, test_labels, {.batch_size = 128});

        // print('test_acc:', test_acc)
        std::cout << "test_acc: " << result.at("accuracy") << '\n';

        if (!args.save.empty()) network.save_weights(args.save);
        xgrad::examples::export_onnx(network, args.export_onnx,
                                     "xgrad MNIST MLP (Deep Learning with Python, ch. 2): input (batch, 784) in [0, 1], "
                                     "output (batch, 10) probabilities");
        if (!args.graph.empty()) {
            // The network's graph on two test images, each layer drawn as one box (plot_model).
            xgrad::Tensor two = xgrad::slice_rows(xgrad::constant(test.images), 0, 2);
            two.set_label("images");
            xgrad::viz::render(xgrad::viz::model_dot(network.forward(two), {.title = "mnist network"}), args.graph);
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
