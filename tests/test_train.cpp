// Training loop (compile/fit/evaluate/predict, callbacks, History), its errors, and weights files.
#include <cmath>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <xtensor/xview.hpp>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {

// Three Gaussian-ish blobs in 4-D, one-hot targets: a tiny classification problem.
std::pair<Array, Array> blobs(std::size_t n, std::uint64_t seed = 11) { return test::blobs(n, 4, 3, seed, 0.5f, 2.f); }

nn::Sequential classifier(std::uint64_t seed = 5) {
    manual_seed(seed);
    nn::Sequential m;
    m.add(nn::Dense(8, "relu", 4));
    m.add(nn::Dense(3, "softmax"));
    return m;
}

std::string temp_path(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("xgrad_test_" + std::to_string(::getpid()) + "_" + name)).string();
}

std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void write_all(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

// Trains a seeded Dense(256, relu) -> Dense(4, softmax) on 256 random rows of `features` for
// `epochs` (batches of 64: products big enough to be split between threads).
std::pair<std::vector<double>, Array> train_wide(std::uint64_t seed, std::size_t features, std::size_t epochs) {
    manual_seed(seed);
    Array x = random_uniform({256, features}, -1, 1);
    Array y = xt::zeros<float>({256, 4});
    for (std::size_t i = 0; i < 256; ++i) y(i, i % 4) = 1;
    nn::Sequential model;
    model.add(nn::Dense(256, "relu", features));
    model.add(nn::Dense(4, "softmax"));
    model.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
    auto history = model.fit(x, y, {.epochs = epochs, .batch_size = 64, .verbose = 0});
    return {history["loss"], model.predict(x)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_train)

BOOST_AUTO_TEST_CASE(xor_reaches_full_accuracy) {
    const Array x = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const Array y = xgrad::test::column({0, 1, 1, 0});
    manual_seed(42);
    nn::Sequential model;
    model.add(nn::Dense(8, "tanh", 2));
    model.add(nn::Dense(1, "sigmoid"));
    model.compile(optim::Adam({.learning_rate = 0.05f}), "binary_crossentropy", {"accuracy"});
    auto history = model.fit(x, y, {.epochs = 300, .batch_size = 4, .verbose = 0});
    BOOST_TEST(history.epochs == 300u);
    BOOST_TEST(history["loss"].back() < history["loss"].front());
    auto result = model.evaluate(x, y, {.verbose = 0});
    BOOST_TEST(result.at("accuracy") == 1.0);
    BOOST_TEST(result.at("loss") < 0.1);
    const Array p = model.predict(x);
    BOOST_TEST(p(0, 0) < 0.5f);
    BOOST_TEST(p(1, 0) > 0.5f);
}

BOOST_AUTO_TEST_CASE(linear_regression_recovers_its_weights) {
    manual_seed(9);
    const Array x = random_normal({256, 3});
    const Array w_true = xgrad::test::column({1.5f, -2.f, 0.5f});
    Array y = xt::zeros<float>({256, 1});
    for (std::size_t i = 0; i < 256; ++i) y(i, 0) = x(i, 0) * 1.5f - 2.f * x(i, 1) + 0.5f * x(i, 2) + 0.25f;
    nn::Sequential model;
    model.add(nn::Dense(1, "linear", 3));
    model.compile(optim::SGD({.learning_rate = 0.1f}), "mse");
    model.fit(x, y, {.epochs = 60, .batch_size = 32, .verbose = 0});
    auto* dense = dynamic_cast<nn::Dense*>(model.layers()[0].get());
    BOOST_TEST_REQUIRE(dense);
    BOOST_TEST(xt::amax(xt::abs(dense->kernel().value() - w_true))() < 1e-3f);
    BOOST_TEST(std::abs(dense->bias().value()(0) - 0.25f) < 1e-3f);
}

BOOST_AUTO_TEST_CASE(fused_training_matches_unfused_training) {
    auto [x, y] = blobs(90);
    auto fused = classifier(), plain = classifier();
    fused.compile(optim::SGD({.learning_rate = 0.5f}), "categorical_crossentropy", {"accuracy"});
    // A custom loss with the same math is not fused: the graph keeps the softmax.
    plain.compile(optim::SGD({.learning_rate = 0.5f}), losses::Loss("cce_unfused", losses::categorical_crossentropy), {"accuracy"});
    BOOST_TEST(fused.uses_fused_softmax_cross_entropy());
    BOOST_TEST(!plain.uses_fused_softmax_cross_entropy());
    auto h1 = fused.fit(x, y, {.epochs = 3, .batch_size = 16, .shuffle = false, .verbose = 0});
    auto h2 = plain.fit(x, y, {.epochs = 3, .batch_size = 16, .shuffle = false, .verbose = 0});
    for (std::size_t e = 0; e < 3; ++e) {
        BOOST_TEST(h1["loss"][e] == h2["loss"][e], boost::test_tools::tolerance(1e-4));
        BOOST_TEST(h1["accuracy"][e] == h2["accuracy"][e]);
    }
    auto p1 = fused.named_parameters(), p2 = plain.named_parameters();
    for (std::size_t i = 0; i < p1.size(); ++i) {
        BOOST_TEST(xt::amax(xt::abs(p1[i].second.value() - p2[i].second.value()))() < 1e-4f, p1[i].first);
    }
    BOOST_TEST(h1["accuracy"].back() > 0.9);
}

BOOST_AUTO_TEST_CASE(steps_per_epoch_count_the_last_partial_batch) {
    auto [x, y] = blobs(1000);
    auto model = classifier();
    model.compile(optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
    auto counter = std::make_shared<train::LambdaCallback>();
    int batches = 0, epochs_seen = 0;
    counter->batch_end = [&](int, const train::Logs& logs) {
        ++batches;
        BOOST_TEST(logs.count("loss") == 1u);
    };
    counter->epoch_end = [&](int, const train::Logs& logs) {
        ++epochs_seen;
        BOOST_TEST(logs.count("accuracy") == 1u);
    };
    std::ostringstream out;
    model.fit(x, y, {.epochs = 2, .batch_size = 128, .callbacks = {counter}, .out = &out});
    BOOST_TEST(batches == 2 * 8);  // ceil(1000 / 128) = 8
    BOOST_TEST(epochs_seen == 2);
    const std::string log = out.str();
    BOOST_TEST(log.find("Epoch 1/2\n8/8 [==============================] - ") != std::string::npos, log);
    BOOST_TEST(log.find("Epoch 2/2\n") != std::string::npos);
    BOOST_TEST(log.find("/step - loss: ") != std::string::npos);
    BOOST_TEST(log.find(" - accuracy: ") != std::string::npos);
    BOOST_TEST(log.find('\r') == std::string::npos);  // not a terminal: one line per epoch
}

BOOST_AUTO_TEST_CASE(progress_line_format) {
    BOOST_TEST(train::format_progress(469, 469, 2.0, {{"loss", 0.2571}, {"accuracy", 0.9257}}) ==
               "469/469 [==============================] - 2s 4ms/step - loss: 0.2571 - accuracy: 0.9257");
    const std::string running = train::format_progress(128, 469, 1.0, {{"loss", 0.5}});
    BOOST_TEST(running == "128/469 [=======>......................] - ETA: 3s - loss: 0.5000");
    BOOST_TEST(train::format_progress(5, 5, 0.001, {{"loss", 1e-5}}).find("us/step - loss: 1.0000e-05") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validation_history_and_files) {
    auto [x, y] = blobs(120);
    auto model = classifier();
    model.compile("adam", "categorical_crossentropy", {"accuracy"});
    auto h = model.fit(x, y, {.epochs = 4, .batch_size = 32, .validation_split = 0.25, .verbose = 0});
    BOOST_TEST((h.keys == std::vector<std::string>{"loss", "accuracy", "val_loss", "val_accuracy"}));
    BOOST_TEST(h["val_loss"].size() == 4u);
    BOOST_TEST(h["val_loss"].back() < h["val_loss"].front());
    // The split is the last 25%: evaluating it directly gives the last val_loss.
    const Array xv = xt::view(x, xt::range(90, 120), xt::all());
    const Array yv = xt::view(y, xt::range(90, 120), xt::all());
    BOOST_TEST(model.evaluate(xv, yv, {.verbose = 0}).at("loss") == h["val_loss"].back(), boost::test_tools::tolerance(1e-6));

    const std::string csv_path = temp_path("history.csv"), json_path = temp_path("history.json");
    h.write_csv(csv_path);
    h.write_json(json_path);
    const std::string csv = read_all(csv_path);
    BOOST_TEST(csv.rfind("epoch,loss,accuracy,val_loss,val_accuracy\n0,", 0) == 0u, csv);
    BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 5);
    const std::string json = read_all(json_path);
    BOOST_TEST(json.find("{\"epochs\":4,\"stop_reason\":\"\",\"history\":{\"loss\":[") == 0u, json);
    BOOST_TEST(json.find("\"val_accuracy\":[") != std::string::npos);
    // It reads back: the same keys in the same order, the same values.
    const train::History back = train::History::read_json(json_path);
    BOOST_TEST(back.epochs == 4u);
    BOOST_TEST(back.keys == h.keys, boost::test_tools::per_element());
    for (const auto& k : h.keys) BOOST_TEST(back[k] == h[k], boost::test_tools::per_element());
    std::remove(csv_path.c_str());
    std::remove(json_path.c_str());
    BOOST_CHECK_EXCEPTION(h["val_acc"], ValueError, has_message("History: no entry 'val_acc'; available: loss, accuracy"));
}

BOOST_AUTO_TEST_CASE(history_json_round_trip_and_errors) {
    train::History h;
    h.append({{"loss", 0.5}, {"accuracy", 0.25}});
    h.append({{"loss", std::nan("")}, {"accuracy", 1.0 / 3.0}});
    h.stop_reason = "EarlyStopping: \"val_loss\" did not improve\n";
    const std::string text = h.to_json();
    BOOST_TEST(text == "{\"epochs\":2,\"stop_reason\":\"EarlyStopping: \\\"val_loss\\\" did not improve\\n\","
                       "\"history\":{\"loss\":[0.5,null],\"accuracy\":[0.25,0.3333333333333333]}}\n");
    const train::History back = train::History::from_json(text);
    BOOST_TEST(back.stop_reason == h.stop_reason);
    BOOST_TEST((back.keys == std::vector<std::string>{"loss", "accuracy"}));
    BOOST_TEST(std::isnan(back["loss"][1]));
    BOOST_TEST(back["accuracy"][1] == 1.0 / 3.0);  // shortest round-trip digits: exact

    using train::History;
    BOOST_CHECK_EXCEPTION(History::from_json("{\"epochs\": 1,"), ValueError, has_message("History::from_json: not valid JSON"));
    BOOST_CHECK_EXCEPTION(History::from_json("[1, 2]"), ValueError,
                          has_message("History::from_json: expected an object with \"epochs\" and \"history\""));
    BOOST_CHECK_EXCEPTION(History::from_json("{\"epochs\": -1, \"history\": {}}"), ValueError,
                          has_message("\"epochs\" must be a non-negative integer"));
    BOOST_CHECK_EXCEPTION(History::from_json("{\"epochs\": 2, \"history\": {\"loss\": [1]}}"), ValueError,
                          has_message("History::from_json: 'loss' has 1 values but epochs is 2"));
    BOOST_CHECK_EXCEPTION(History::from_json("{\"epochs\": 1, \"history\": {\"loss\": [\"x\"]}}"), ValueError,
                          has_message("'loss' holds \"x\", expected numbers or null"));
    BOOST_CHECK_EXCEPTION(History::from_json("{\"epochs\": 1, \"history\": []}"), ValueError,
                          has_message("\"history\" must be an object of arrays"));
    BOOST_CHECK_EXCEPTION(History::read_json("/nonexistent/history.json"), IoError,
                          has_message("History::read_json: cannot open '/nonexistent/history.json'"));
}

BOOST_AUTO_TEST_CASE(validation_data_and_reproducibility) {
    auto [x, y] = blobs(60);
    auto [xv, yv] = blobs(30, 99);
    auto run = [&] {
        auto model = classifier(3);
        model.compile(optim::RMSprop({.learning_rate = 0.01f}), "categorical_crossentropy", {"accuracy"});
        manual_seed(123);  // the shuffling stream
        return model.fit(x, y, {.epochs = 2, .batch_size = 8, .validation_data = std::pair{xv, yv}, .verbose = 0});
    };
    auto a = run(), b = run();
    BOOST_TEST(a["loss"] == b["loss"]);
    BOOST_TEST(a["val_accuracy"] == b["val_accuracy"]);
}

BOOST_AUTO_TEST_CASE(one_thread_same_seed_is_bit_identical) {
    // The same seed must give the same losses to the last bit.
    const int before = num_threads();
    set_num_threads(1);
    auto a = train_wide(7, 300, 3).first, b = train_wide(7, 300, 3).first;
    set_num_threads(before);
    BOOST_TEST(a.size() == 3u);
    BOOST_TEST(a == b, boost::test_tools::per_element());
    BOOST_TEST(a.front() != a.back());  // it trained
    BOOST_TEST(num_threads() == before);
}

BOOST_AUTO_TEST_CASE(training_gives_the_same_bits_on_any_thread_count) {
    // Products are cut into one block of rows or columns per thread and each block's dot
    // products run in the same order as the whole product's, elementwise kernels split without
    // reordering anything: the same seed gives the same losses and predictions on 1, 2 and 3
    // threads. (OpenBLAS's own threads did not: with 600 inputs, 3/4 of a 64x600x256 product's
    // elements came out different on two threads.)
    const int before = num_threads();
    set_num_threads(1);
    const auto one = train_wide(11, 600, 2);
    for (const int threads : {2, 3}) {
        set_num_threads(threads);
        const auto other = train_wide(11, 600, 2);
        BOOST_TEST_CONTEXT("threads " << threads) {
            BOOST_TEST(one.first == other.first, boost::test_tools::per_element());
            BOOST_TEST((one.second == other.second));
        }
    }
    set_num_threads(before);
    BOOST_TEST(one.first.front() != one.first.back());  // it trained
}

BOOST_AUTO_TEST_CASE(predict_and_evaluate_agree_with_the_graph) {
    auto [x, y] = blobs(50);
    auto model = classifier();
    model.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    const Array p = model.predict(x, {.batch_size = 7});
    BOOST_TEST(p.shape() == Array::shape_type({50, 3}));
    Array whole = model(constant(x)).value();
    BOOST_TEST(xt::amax(xt::abs(p - whole))() < 1e-6f);
    auto r = model.evaluate(x, y, {.batch_size = 7, .verbose = 0});
    const double expected = losses::categorical_crossentropy(constant(y), constant(p)).item();
    BOOST_TEST(r.at("loss") == expected, boost::test_tools::tolerance(1e-4));
    BOOST_TEST(r.at("accuracy") == metrics::categorical_accuracy(y, p), boost::test_tools::tolerance(1e-9));
    std::ostringstream out;
    model.evaluate(x, y, {.batch_size = 7, .out = &out});
    BOOST_TEST(out.str().find("8/8 [==============================] - ") == 0u, out.str());
}

BOOST_AUTO_TEST_CASE(early_stopping) {
    auto [x, y] = blobs(40);
    auto model = classifier();
    // A zero learning rate never improves the loss: stop after 1 + patience epochs.
    model.compile(optim::SGD({.learning_rate = 0.f}), "categorical_crossentropy");
    auto stop = std::make_shared<train::EarlyStopping>("loss", 2);
    std::ostringstream out;
    auto h = model.fit(x, y, {.epochs = 10, .batch_size = 40, .shuffle = false, .callbacks = {stop}, .out = &out});
    BOOST_TEST(h.epochs == 3u);
    BOOST_TEST(h.stop_reason.find("EarlyStopping: loss did not improve for 2 epoch(s) (best") == 0u, h.stop_reason);
    BOOST_TEST(out.str().find("EarlyStopping: loss") != std::string::npos);
    BOOST_TEST(stop->best_epoch() == 0);
    auto bad = std::make_shared<train::EarlyStopping>("val_auc");
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {bad}}), ValueError,
                          has_message("EarlyStopping: monitored quantity 'val_auc' is not in the logs; available: loss"));
}

BOOST_AUTO_TEST_CASE(terminate_on_nan) {
    auto [x, y] = blobs(40);
    // A NaN target in row 13 (second batch of 10 without shuffling). (A NaN input would not
    // do: the core's relu maps NaN to 0.)
    y(13, 1) = std::nanf("");
    auto model = classifier();
    model.compile("sgd", "categorical_crossentropy");
    auto h = model.fit(x, y, {.epochs = 3, .batch_size = 10, .shuffle = false, .verbose = 0,
                              .callbacks = {std::make_shared<train::TerminateOnNaN>()}});
    BOOST_TEST(h.epochs == 1u);
    BOOST_TEST(h.stop_reason == "TerminateOnNaN: invalid loss nan at epoch 1, batch 2; terminating training");
}

BOOST_AUTO_TEST_CASE(sparse_labels_train) {
    auto [x, y] = blobs(60);
    Array labels = xt::zeros<float>({60});
    for (std::size_t i = 0; i < 60; ++i) labels(i) = float(i % 3);
    auto model = classifier();
    model.compile(optim::Adam({.learning_rate = 0.05f}), "sparse_categorical_crossentropy", {"accuracy"});
    auto h = model.fit(x, labels, {.epochs = 20, .batch_size = 16, .verbose = 0});
    BOOST_TEST(h["accuracy"].back() > 0.9);
}

namespace {
// A layer of the user's that creates its weight on its first input (no build() override) and
// doubles the features: a Sequential learns its shape and its weight only by running it.
class LazyDouble : public nn::Module {
public:
    Tensor forward(const Tensor& x) override {
        if (!w_.defined()) w_ = register_parameter("w", xt::ones<float>({x.shape().back()}));
        return concat({x * w_, x}, 1);
    }
    std::string type_name() const override { return "LazyDouble"; }
    const Tensor& w() const { return w_; }

private:
    Tensor w_;
};
}  // namespace

BOOST_AUTO_TEST_CASE(a_layer_that_creates_its_weight_on_its_first_input_trains_from_the_first_fit) {
    auto [x, y] = blobs(32);
    manual_seed(3);
    auto lazy = std::make_shared<LazyDouble>();
    nn::Sequential model;
    model.add(lazy);
    model.add(nn::Dense(3, "softmax"));
    model.compile(optim::Adam({.learning_rate = 0.05f}), "categorical_crossentropy");
    model.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
    // Before, fit attached the optimizer before the first forward created w: w stayed at ones.
    BOOST_REQUIRE(lazy->w().defined());
    BOOST_TEST(xt::amax(xt::abs(lazy->w().value() - 1.f))() > 1e-3f);
    std::vector<std::string> attached;
    for (const auto& [n, t] : model.optimizer().parameters()) attached.push_back(n);
    BOOST_TEST(std::count(attached.begin(), attached.end(), "lazy_double_1.w") == 1);
    BOOST_TEST(model.output_shape() == Shape{3});
    for (const auto& [n, t] : model.named_parameters()) {
        if (n == "dense_1.kernel") BOOST_TEST(t.shape_vector() == (Shape{8, 3}));  // it saw the doubled features
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nn_train_errors)

BOOST_AUTO_TEST_CASE(fit_errors_name_the_problem) {
    auto [x, y] = blobs(20);
    auto model = classifier();
    BOOST_CHECK_EXCEPTION(model.fit(x, y), ValueError,
                          has_message("fit: model '" + model.name() + "' is not compiled; call compile(optimizer, loss, metrics) first"));
    BOOST_CHECK_EXCEPTION(model.evaluate(x, y), ValueError, has_message("evaluate: model '" + model.name() + "' is not compiled"));
    model.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    const Array y19 = xt::view(y, xt::range(0, 19), xt::all());
    BOOST_CHECK_EXCEPTION(model.fit(x, y19, {.verbose = 0}), ValueError, has_message("fit: x has 20 samples but y has 19"));
    const Array y2 = xt::view(y, xt::all(), xt::range(0, 2));
    BOOST_CHECK_EXCEPTION(model.fit(x, y2, {.verbose = 0}), ValueError,
                          has_message("fit: y has 2 columns but the model outputs 3 units (last layer 'dense_2')"));
    BOOST_CHECK_EXCEPTION(model.fit(Array(Array::shape_type{0, 4}), Array(Array::shape_type{0, 3}), {.verbose = 0}), ValueError,
                          has_message("fit: x is empty or not batched (shape (0x4))"));
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.batch_size = 0, .verbose = 0}), ValueError,
                          has_message("fit: batch_size must be positive, got 0"));
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.batch_size = x.shape()[0] + 1, .verbose = 0}), ValueError,
                          has_message("fit: batch_size " + std::to_string(x.shape()[0] + 1) + " is larger than the " +
                                      std::to_string(x.shape()[0]) + " training samples"));
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.validation_split = 1.0, .verbose = 0}), ValueError,
                          has_message("fit: validation_split must be in [0, 1)"));
    const Array x5 = xt::zeros<float>({20, 5});
    BOOST_CHECK_EXCEPTION(model.fit(x5, y, {.verbose = 0}), ShapeError, has_message("dense_1: expected inputs with 4 features, got 5"));
    BOOST_CHECK_EXCEPTION(model.predict(x, {.batch_size = 0}), ValueError, has_message("predict: batch_size must be positive"));
    BOOST_CHECK_EXCEPTION(model.evaluate(x, y19), ValueError, has_message("evaluate: x has 20 samples but y has 19"));
}

BOOST_AUTO_TEST_CASE(unknown_names_in_compile) {
    auto model = classifier();
    BOOST_CHECK_EXCEPTION(model.compile("adamw", "categorical_crossentropy"), ValueError,
                          has_message("unknown optimizer 'adamw'; valid names: rmsprop, sgd, adam"));
    BOOST_CHECK_EXCEPTION(model.compile("sgd", "hinge"), ValueError, has_message("unknown loss 'hinge'; valid names:"));
    BOOST_CHECK_EXCEPTION(model.compile("sgd", "mse", {"accuracy", "f1"}), ValueError,
                          has_message("unknown metric 'f1'; valid names: accuracy"));
    BOOST_TEST(!model.compiled());
    BOOST_CHECK_EXCEPTION(model.optimizer(), ValueError, has_message("is not compiled"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nn_weights)

BOOST_AUTO_TEST_CASE(round_trip_is_bitwise_with_optimizer_state) {
    auto [x, y] = blobs(30);
    auto a = classifier(1);
    a.compile("rmsprop", "categorical_crossentropy");
    a.fit(x, y, {.epochs = 2, .batch_size = 8, .verbose = 0});
    const std::string path = temp_path("roundtrip.xgw");
    a.save_weights(path);
    auto b = classifier(2);
    b.compile("rmsprop", "categorical_crossentropy");
    b.load_weights(path);
    auto pa = a.named_parameters(), pb = b.named_parameters();
    for (std::size_t i = 0; i < pa.size(); ++i) {
        BOOST_TEST(std::memcmp(pa[i].second.value().data(), pb[i].second.value().data(), pa[i].second.size() * 4) == 0, pa[i].first);
    }
    BOOST_TEST(b.optimizer().iterations() == a.optimizer().iterations());
    const auto sa = a.optimizer().state(), sb = b.optimizer().state();
    BOOST_TEST(sa.size() == sb.size());
    for (auto& [k, v] : sa) BOOST_TEST(sb.at(k) == v, k);
    // Both continue identically.
    a.fit(x, y, {.epochs = 1, .batch_size = 8, .shuffle = false, .verbose = 0});
    b.fit(x, y, {.epochs = 1, .batch_size = 8, .shuffle = false, .verbose = 0});
    BOOST_TEST(a.named_parameters()[0].second.value() == b.named_parameters()[0].second.value());
    std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(bad_files_are_rejected_and_leave_the_model_unchanged) {
    auto a = classifier(1);
    a.compile("rmsprop", "categorical_crossentropy");
    const std::string path = temp_path("good.xgw"), bad = temp_path("bad.xgw");
    a.save_weights(path);
    const std::string bytes = read_all(path);

    auto b = classifier(2);
    b.compile("rmsprop", "categorical_crossentropy");
    const Array before = b.named_parameters()[0].second.value();
    auto unchanged = [&] { BOOST_TEST(b.named_parameters()[0].second.value() == before); };

    write_all(bad, bytes.substr(0, bytes.size() - 10));
    BOOST_CHECK_EXCEPTION(b.load_weights(bad), IoError, has_message("is truncated"));
    unchanged();
    std::string corrupt = bytes;
    corrupt[corrupt.size() / 2] ^= 0x10;
    write_all(bad, corrupt);
    BOOST_CHECK_EXCEPTION(b.load_weights(bad), IoError, has_message("fails its CRC-32 checksum"));
    unchanged();
    std::string newer = bytes;
    newer[8] = 3;  // version field (2 is a whole model's: nn_model_io)
    write_all(bad, newer);
    BOOST_CHECK_EXCEPTION(b.load_weights(bad), IoError, has_message("has format version 3; this build reads versions 1 (weights) and 2 (whole models) (the file was written by a newer xgrad)"));
    write_all(bad, "not a weights file");
    BOOST_CHECK_EXCEPTION(b.load_weights(bad), IoError, has_message("is not an xgrad weights file (bad magic)"));
    BOOST_CHECK_EXCEPTION(b.load_weights(temp_path("missing.xgw")), IoError, has_message("cannot open"));
    unchanged();

    manual_seed(4);
    nn::Sequential wider;
    wider.add(nn::Dense(9, "relu", 4));
    wider.add(nn::Dense(3, "softmax"));
    BOOST_CHECK_EXCEPTION(wider.load_weights(path), ValueError,
                          has_message("load_weights: 'dense_1.kernel' is (4x8) in '" + path + "' but (4x9) in the model"));
    nn::Sequential deeper;
    deeper.add(nn::Dense(8, "relu", 4));
    deeper.add(nn::Dense(3, "softmax"));
    deeper.add(nn::Dense(3, "softmax"));
    BOOST_CHECK_EXCEPTION(deeper.load_weights(path), ValueError,
                          has_message("has no tensor for model parameter 'dense_3.kernel' (3x3)"));
    nn::Sequential shallow;
    shallow.add(nn::Dense(8, "relu", 4));
    BOOST_CHECK_EXCEPTION(shallow.load_weights(path), ValueError, has_message("holds 'dense_2.bias' (3), which model '" + shallow.name() + "' does not have"));

    auto c = classifier(3);
    c.compile("adam", "categorical_crossentropy");
    BOOST_CHECK_EXCEPTION(c.load_weights(path), ValueError, has_message("holds rmsprop state but the model's optimizer is adam"));
    c.load_weights(path, {.include_optimizer = false});
    BOOST_TEST(c.named_parameters()[0].second.value() == a.named_parameters()[0].second.value());
    std::remove(path.c_str());
    std::remove(bad.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
