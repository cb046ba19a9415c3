// The convnet of Deep Learning with Python, ch. 5 (listings 5.1-5.3), line for line in C++.
// Each block is paired with its Keras original in a comment.
#include <iostream>
#include <string>
#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"
#include "common/train_flags.hpp"
#include "common/epoch_timer.hpp"
#include "common/onnx_export.hpp"

int main(int argc, char** argv) {
    CLI::App app{"Trains the convnet of Deep Learning with Python, ch. 5 (Conv2D/MaxPooling2D x2, Conv2D, Flatten,\n"
                 "Dense x2) on MNIST with RMSprop and prints test_acc. The data is fetched on first use into\n"
                 "~/.cache/xgrad/mnist ($XGRAD_DATA_DIR if set); --dataset fashion_mnist trains on Fashion-MNIST,\n"
                 "--data DIR on any IDX folder in MNIST's layout.",
                 "mnist_convnet"};
    xgrad::examples::TrainFlags args;
    args.batch_size = 64;  // the listing's batch size
    xgrad::examples::add_train_flags(app, args, "bench/bench_convnet.sh");
    std::string export_onnx_path;
    app.add_option("--export-onnx", export_onnx_path, "write the trained network to FILE as ONNX (docs/interop.md)")
        ->type_name("FILE");
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    try {
        // Output paths first: a typo must not cost a whole training run.
        xgrad::examples::check_output_file(args.save, "--save");
        xgrad::examples::check_output_file(args.graph, "--graph");
        xgrad::examples::check_export_onnx(export_onnx_path);
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

        // from keras.datasets import mnist
        // (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
        // (as Keras gives them: (60000, 28, 28) with the pixel values 0..255)
        auto [train, test] = xgrad::examples::load_data(args.data, {.flatten = false, .scale = false});
        xgrad::Array train_images = std::move(train.images), test_images = std::move(test.images);
        xgrad::Array train_labels = std::move(train.labels), test_labels = std::move(test.labels);
        if (args.subset > 0 && static_cast<std::size_t>(args.subset) < train_labels.size()) {
            const auto n = static_cast<std::size_t>(args.subset);
            train_images = xgrad::slice_rows(xgrad::constant(train_images), 0, n).value();
            train_labels = xgrad::slice_rows(xgrad::constant(train_labels), 0, n).value();
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
        xgrad::examples::load_start(args, model);  // --load FILE: continue the run that wrote FILE

        // model.fit(train_images, train_labels, epochs=5, batch_size=64)
        auto timer = std::make_shared<xgrad::examples::EpochTimer>();
        model.fit(train_images, train_labels,
                  {.epochs = static_cast<std::size_t>(args.epochs),
                   .batch_size = static_cast<std::size_t>(args.batch_size),
                   .callbacks = {timer},
                   .adapt_threads = args.threads == 0});  // --threads N: N for every step

        // test_loss, test_acc = model.evaluate(test_images, test_labels)
        auto result = model.evaluate(test_images, test_labels, {.batch_size = 128});

        // test_acc
        std::cout << "test_acc: " << result.at("accuracy") << '\n';

        xgrad::examples::export_onnx(model, export_onnx_path,
                                     "xgrad MNIST convnet (Deep Learning with Python, ch. 5): input (batch, 28, 28, 1) in [0, 1], "
                                     "output (batch, 10) probabilities");
        xgrad::examples::write_outputs(args, model, test_images, "mnist convnet", timer->median(), result.at("accuracy"));
    } catch (const xgrad::Error& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "unexpected error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
