// The MNIST listing of Deep Learning with Python, ch. 2, line for line in C++.
// Each block is paired with its Keras original in a comment.
#include <iostream>
#include <string>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"
#include "common/train_flags.hpp"
#include "common/epoch_timer.hpp"
#include "common/onnx_export.hpp"
#ifdef XGRAD_HAVE_DIST
#include <xgrad/dist/dist.hpp>
#endif

int main(int argc, char** argv) {
    CLI::App app{"Trains Dense(512, relu) -> Dense(10, softmax) on MNIST with RMSprop, as in Deep Learning with\n"
                 "Python, ch. 2, and prints test_acc. The data is fetched on first use into ~/.cache/xgrad/mnist\n"
                 "($XGRAD_DATA_DIR if set); --dataset fashion_mnist trains on Fashion-MNIST, --data DIR on any\n"
                 "IDX folder in MNIST's layout.",
                 "mnist"};
    xgrad::examples::TrainFlags args;
    xgrad::examples::add_train_flags(app, args, "bench/bench_mnist.sh");
    std::string report_path, export_onnx_path;
    app.add_option("--report", report_path, "write the training report to FILE (HTML: curves, norms, histograms; refreshed each epoch)")
        ->type_name("FILE");
    app.add_option("--export-onnx", export_onnx_path,
                   "write the trained network to FILE as ONNX, for ONNX Runtime or Netron (docs/interop.md)")
        ->type_name("FILE");
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    try {
#ifdef XGRAD_HAVE_DIST
        // Under `mpirun -np N` the N processes train one model, data-parallel (docs/distributed.md).
        xgrad::dist::init();
        if (xgrad::dist::size() > 1) std::cout << "training on " << xgrad::dist::size() << " processes\n";
#endif
        // Output paths first: a typo must not cost a whole training run.
        xgrad::examples::check_output_file(args.save, "--save");
        xgrad::examples::check_output_file(args.graph, "--graph");
        xgrad::examples::check_output_file(report_path, "--report");
        xgrad::examples::check_export_onnx(export_onnx_path);
        std::shared_ptr<xgrad::train::HtmlReport> report;  // fails now if built without its charting library
        if (!report_path.empty()) {
            report = std::make_shared<xgrad::train::HtmlReport>(
                report_path, xgrad::train::HtmlReportOptions{.title = "MNIST: Dense(512, relu) -> Dense(10, softmax), RMSprop"});
        }
        if (args.threads > 0) xgrad::set_num_threads(args.threads);
        xgrad::manual_seed(static_cast<std::uint64_t>(args.seed));

        // from tensorflow.keras.datasets import mnist
        // (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
        auto [train, test] = xgrad::examples::load_data(args.data);  // --dataset, or any IDX folder with --data
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
        xgrad::examples::load_start(args, network);  // --load FILE: continue the run that wrote FILE

        // train_images = train_images.reshape((60000, 28 * 28)).astype('float32') / 255
        // (load_mnist already returns (N, 784) float32 scaled to [0, 1])
        // train_labels = to_categorical(train_labels)
        xgrad::Array train_labels = xgrad::data::to_categorical(train.labels, 10);
        xgrad::Array test_labels = xgrad::data::to_categorical(test.labels, 10);

        // network.fit(train_images, train_labels, epochs=5, batch_size=128)
        auto timer = std::make_shared<xgrad::examples::EpochTimer>();
        std::vector<std::shared_ptr<xgrad::train::Callback>> callbacks{timer};
        if (report) callbacks.push_back(report);
        // (The book's listing has no validation data; with --report the test set serves as
        // validation, so the report shows both curves. Training itself is unchanged.)
        network.fit(train.images, train_labels,
                    {.epochs = static_cast<std::size_t>(args.epochs),
                     .batch_size = static_cast<std::size_t>(args.batch_size),
                     .validation_data = report ? std::optional(std::pair(test.images, test_labels)) : std::nullopt,
                     .callbacks = callbacks,
                     .adapt_threads = args.threads == 0});  // --threads N: N for every step

        // test_loss, test_acc = network.evaluate(test_images, test_labels)
        auto result = network.evaluate(test.images, test_labels, {.batch_size = 128});

        // print('test_acc:', test_acc)
        std::cout << "test_acc: " << result.at("accuracy") << '\n';

        if (report) std::cout << "report: " << report_path << '\n';
        xgrad::examples::export_onnx(network, export_onnx_path,
                                     "xgrad MNIST MLP (Deep Learning with Python, ch. 2): input (batch, 784) in [0, 1], "
                                     "output (batch, 10) probabilities");
        xgrad::examples::write_outputs(args, network, test.images, "mnist network", timer->median(), result.at("accuracy"));
    } catch (const xgrad::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "unexpected error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
