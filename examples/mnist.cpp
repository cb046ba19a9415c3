// The MNIST listing of Deep Learning with Python, ch. 2, line for line in C++.
// Each block is paired with its Keras original in a comment.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sys/resource.h>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>
#ifdef XGRAD_HAS_ONNX
#include <xgrad/onnx/export.hpp>
#endif

namespace {

const char* const usage =
    "usage: mnist [--data DIR] [--epochs N] [--batch-size N] [--seed N] [--threads N]\n"
    "             [--subset N] [--save FILE] [--graph FILE] [--export-onnx FILE] [--bench] [--help]\n"
    "Trains Dense(512, relu) -> Dense(10, softmax) on MNIST with RMSprop, as in Deep Learning\n"
    "with Python, ch. 2, and prints test_acc. The data is fetched on first use into\n"
    "$XGRAD_DATA_DIR or ~/.cache/xgrad/mnist (or read from --data DIR).\n"
    "  --subset N   train on the first N images only (quick runs)\n"
    "  --save FILE  write the trained weights and optimizer state\n"
    "  --graph FILE write the network's diagram (collapsed layers; .svg, .png, .dot)\n"
    "  --export-onnx FILE  write the trained network as ONNX (docs/interop.md)\n"
    "  --bench      print a machine-readable RESULT line (bench/bench_mnist.sh)\n";

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

// Parses a positive integer flag value; nullopt when it is not one.
std::optional<long> positive(const std::string& s) {
    try {
        std::size_t used = 0;
        long v = std::stol(s, &used);
        if (used == s.size() && v > 0) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

// Returns nullopt (after printing why) on a bad command line.
std::optional<Args> parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (flag == "--bench") {
            a.bench = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::cerr << "mnist: " << flag << (flag.rfind("--", 0) == 0 ? " needs a value\n" : ": unknown argument\n");
            return std::nullopt;
        }
        const std::string value = argv[++i];
        if (flag == "--data") a.data = value;
        else if (flag == "--save") a.save = value;
        else if (flag == "--graph") a.graph = value;
        else if (flag == "--export-onnx") a.export_onnx = value;
        else if (flag == "--epochs" || flag == "--batch-size" || flag == "--threads" || flag == "--subset" || flag == "--seed") {
            auto v = flag == "--seed" ? std::optional<long>(std::strtol(value.c_str(), nullptr, 10)) : positive(value);
            if (!v || (flag == "--seed" && value.find_first_not_of("0123456789") != std::string::npos)) {
                std::cerr << "mnist: " << flag << " needs a " << (flag == "--seed" ? "non-negative" : "positive")
                          << " integer, got '" << value << "'\n";
                return std::nullopt;
            }
            if (flag == "--epochs") a.epochs = int(*v);
            if (flag == "--batch-size") a.batch_size = int(*v);
            if (flag == "--threads") a.threads = int(*v);
            if (flag == "--subset") a.subset = *v;
            if (flag == "--seed") a.seed = *v;
        } else {
            std::cerr << "mnist: unknown flag " << flag << "\n";
            return std::nullopt;
        }
    }
    return a;
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

// An output file's problem found before training rather than after it: its folder must exist
// and be writable, and an existing file must be writable. Empty when fine.
std::string unwritable(const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    if (::access(dir.c_str(), W_OK) != 0) return "folder '" + dir + "' does not exist or is not writable";
    if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), W_OK) != 0) return "file is not writable";
    return "";
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
    auto args = parse(argc, argv);
    if (!args) {
        std::cerr << usage;
        return 2;
    }
#ifndef XGRAD_HAS_ONNX
    if (!args->export_onnx.empty()) {
        std::cerr << "mnist: --export-onnx needs xgrad built with ONNX support (scripts/setup.sh onnx, then rebuild)\n";
        return 1;
    }
#endif
    if (!args->export_onnx.empty()) {
        if (auto why = unwritable(args->export_onnx); !why.empty()) {
            std::cerr << "mnist: --export-onnx " << args->export_onnx << ": " << why << '\n';
            return 1;
        }
    }
    try {
        if (args->threads > 0) xgrad::set_num_threads(args->threads);
        xgrad::manual_seed(static_cast<std::uint64_t>(args->seed));

        // from tensorflow.keras.datasets import mnist
        // (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
        auto [train, test] = xgrad::data::load_mnist(args->data, {.download = args->data.empty()});  // a folder the user names is only read
        if (args->subset > 0 && static_cast<std::size_t>(args->subset) < train.labels.size()) {
            const auto n = static_cast<std::size_t>(args->subset);
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
                    {.epochs = static_cast<std::size_t>(args->epochs),
                     .batch_size = static_cast<std::size_t>(args->batch_size),
                     .callbacks = {timer}});

        // test_loss, test_acc = network.evaluate(test_images, test_labels)
        auto result = network.evaluate(test.images, test_labels, {.batch_size = 128});

        // print('test_acc:', test_acc)
        std::cout << "test_acc: " << result.at("accuracy") << '\n';

        if (!args->save.empty()) network.save_weights(args->save);
#ifdef XGRAD_HAS_ONNX
        if (!args->export_onnx.empty()) {
            // Input "input" (batch, 784) floats in [0, 1], output "output" (batch, 10) probabilities.
            xgrad::onnx::export_model(network, args->export_onnx, {.doc_string = "xgrad MNIST MLP, test_acc " +
                                                                                  std::to_string(result.at("accuracy"))});
            std::cout << "onnx: " << args->export_onnx << '\n';
        }
#endif
        if (!args->graph.empty()) {
            // The network's graph on two test images, each layer drawn as one box (plot_model).
            xgrad::Tensor two = xgrad::slice_rows(xgrad::constant(test.images), 0, 2);
            two.set_label("images");
            xgrad::viz::render(xgrad::viz::model_dot(network.forward(two), {.title = "mnist network"}), args->graph);
            std::cout << "diagram: " << args->graph << '\n';
        }
        if (args->bench) {
            rusage usage{};
            getrusage(RUSAGE_SELF, &usage);
            std::cout << "RESULT epoch_seconds_median=" << median(timer->seconds)
                      << " test_acc=" << result.at("accuracy") << " peak_rss_mb=" << usage.ru_maxrss / 1024.0
                      << " epochs=" << args->epochs << " threads=" << xgrad::num_threads() << '\n';
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
