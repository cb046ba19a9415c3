// Callbacks that control training: the learning-rate callbacks (LearningRateScheduler,
// ReduceLROnPlateau), ModelCheckpoint, EarlyStopping's restore_best_weights and CSVLogger, on a
// tiny Dense model and a few dozen synthetic rows.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <type_traits>
#include <utility>

#include "file_helpers.hpp"
#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::files::TempDir;
namespace fs = std::filesystem;

namespace {

// Three blobs in 4-D with one-hot targets: 48 training rows, 24 validation rows (another seed).
std::pair<Array, Array> rows(std::size_t n, std::uint64_t seed = 11) { return test::blobs(n, 4, 3, seed, 0.8f, 1.f); }

nn::Sequential classifier(std::uint64_t seed = 5) {
    manual_seed(seed);
    nn::Sequential m;
    m.add(nn::Dense(8, "relu", 4));
    m.add(nn::Dense(3, "softmax"));
    return m;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);) out.push_back(line);
    return out;
}

// Redirects std::cout to a string for one scope (the verbose callbacks print there, as Keras).
struct CaptureCout {
    std::ostringstream text;
    std::streambuf* saved = std::cout.rdbuf(text.rdbuf());
    ~CaptureCout() { std::cout.rdbuf(saved); }
};

// Counts training steps: a path error must stop fit before the first one.
std::shared_ptr<train::LambdaCallback> step_counter(int& steps) {
    auto c = std::make_shared<train::LambdaCallback>();
    c->batch_begin = [&steps](int, const train::Logs&) { ++steps; };
    return c;
}

}  // namespace

// =================================================================================================
BOOST_AUTO_TEST_SUITE(nn_callbacks_lr)

BOOST_AUTO_TEST_CASE(scheduler_sets_the_rate_before_each_epoch_and_logs_it) {
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy", {"accuracy"});
    std::vector<double> given;  // the lr each call of the schedule received
    auto scheduler = std::make_shared<train::LearningRateScheduler>([&given](int epoch, double lr) {
        given.push_back(lr);
        return 0.1 * std::pow(0.5, epoch);
    });
    std::vector<float> at_steps;
    std::vector<double> logged;
    auto probe = std::make_shared<train::LambdaCallback>();
    probe->batch_begin = [&](int, const train::Logs&) { at_steps.push_back(model.optimizer().learning_rate()); };
    probe->epoch_end = [&](int, const train::Logs& logs) { logged.push_back(logs.at("learning_rate")); };
    std::ostringstream out;
    auto h = model.fit(x, y, {.epochs = 4, .batch_size = 16, .verbose = 2, .callbacks = {scheduler, probe}, .out = &out});

    BOOST_TEST_REQUIRE(at_steps.size() == 12u);  // 3 steps an epoch
    BOOST_TEST_REQUIRE(given.size() == 4u);
    BOOST_TEST_REQUIRE(logged.size() == 4u);
    BOOST_TEST((h.keys == std::vector<std::string>{"loss", "accuracy", "learning_rate"}));
    float previous = 0.1f;  // compiled rate
    for (std::size_t e = 0; e < 4; ++e) {
        const float expected = float(0.1 * std::pow(0.5, double(e)));
        BOOST_TEST(given[e] == double(previous), "epoch " << e);  // the current rate, widened
        for (std::size_t s = 0; s < 3; ++s) BOOST_TEST(at_steps[e * 3 + s] == expected, "epoch " << e << " step " << s);
        BOOST_TEST(logged[e] == double(expected));
        BOOST_TEST(h["learning_rate"][e] == double(expected));
        previous = expected;
    }
    BOOST_TEST(model.optimizer().learning_rate() == float(0.1 * 0.125));
    // The progress line shows the added entry after the others, as Keras 3.
    const auto lines = lines_of(out.str());
    BOOST_TEST_REQUIRE(lines.size() >= 2u);
    BOOST_TEST(lines[1].find(" - accuracy: ") != std::string::npos, lines[1]);
    BOOST_TEST(lines[1].substr(lines[1].size() - 24) == " - learning_rate: 0.1000", lines[1]);
    BOOST_TEST(lines.back().substr(lines.back().size() - 24) == " - learning_rate: 0.0125", lines.back());
}

BOOST_AUTO_TEST_CASE(scheduler_verbose_prints_keras_line) {
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    auto scheduler = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return epoch == 0 ? 0.25 : 1e-5; }, 1);
    CaptureCout cout;
    model.fit(x, y, {.epochs = 2, .batch_size = 48, .verbose = 0, .callbacks = {scheduler}});
    BOOST_TEST(cout.text.str() ==
               "\nEpoch 1: LearningRateScheduler setting learning rate to 0.25.\n"
               "\nEpoch 2: LearningRateScheduler setting learning rate to 1e-05.\n");
}

BOOST_AUTO_TEST_CASE(scheduler_rejects_a_bad_rate_before_the_epoch_runs) {
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    auto scheduler = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return epoch < 2 ? 0.05 : -0.5; });
    int steps = 0;
    const train::FitOptions options{.epochs = 4, .batch_size = 16, .verbose = 0, .callbacks = {scheduler, step_counter(steps)}};
    BOOST_CHECK_EXCEPTION(model.fit(x, y, options), ValueError,
                          has_message("LearningRateScheduler: the schedule returned -0.5 for epoch 2 (0-based); a learning "
                                      "rate must be finite and positive"));
    BOOST_TEST(steps == 6);  // epochs 0 and 1 only: no step of epoch 2
    BOOST_TEST(model.optimizer().learning_rate() == 0.05f);

    // Each bad value by itself, straight through the hook.
    const std::vector<std::pair<double, std::string>> bad = {
        {std::nan(""), "returned nan for epoch 3 (0-based); a learning rate must be finite and positive"},
        {INFINITY, "returned inf for epoch 3"},
        {0.0, "returned 0 for epoch 3"},
        {1e-50, "returned 1e-50 for epoch 3 (0-based); a learning rate must be finite and positive in float"},
        {1e300, "returned 1e+300 for epoch 3 (0-based); a learning rate must be finite and positive in float"},
    };
    for (const auto& [value, message] : bad) {
        train::LearningRateScheduler s([v = value](int, double) { return v; });
        s.set_model(&model);
        BOOST_CHECK_EXCEPTION(s.on_epoch_begin(3, {}), ValueError, has_message("LearningRateScheduler: the schedule " + message));
        BOOST_TEST(model.optimizer().learning_rate() == 0.05f);
    }
    BOOST_CHECK_EXCEPTION(train::LearningRateScheduler(nullptr), ValueError,
                          has_message("LearningRateScheduler: the schedule function is empty"));
    train::LearningRateScheduler detached([](int, double lr) { return lr; });
    BOOST_CHECK_EXCEPTION(detached.on_epoch_begin(0, {}), ValueError, has_message("LearningRateScheduler: no model"));
    auto uncompiled = classifier();
    detached.set_model(&uncompiled);
    BOOST_CHECK_EXCEPTION(detached.on_epoch_begin(0, {}), ValueError,
                          has_message("optimizer: model '" + uncompiled.name() + "' is not compiled"));
}

// Keras' rules, traced by hand (factor 0.5, patience 2, min_delta 0.01, cooldown 2, min_lr 0.02).
BOOST_AUTO_TEST_CASE(reduce_on_plateau_follows_keras_rules) {
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    train::ReduceLROnPlateau reduce("val_loss", 0.5, 2, 0.01, 2, 0.02);
    reduce.set_model(&model);
    reduce.on_train_begin({});
    struct Epoch {
        double val_loss;
        float lr;  // after the epoch
        int wait, cooldown_left;
    };
    const float floor = float(0.02);
    const std::vector<Epoch> trace = {
        {1.0, 0.1f, 0, 0},      // first value: best
        {0.995, 0.1f, 1, 0},    // not below 1.0 - 0.01
        {0.992, 0.05f, 0, 2},   // wait reaches patience: halve, cool down
        {1.5, 0.05f, 0, 1},     // cooling down: wait stays 0
        {1.5, 0.05f, 1, 0},     // cooldown over this epoch: wait counts again
        {1.5, 0.025f, 0, 2},    // patience again: halve
        {0.5, 0.025f, 0, 1},    // improvement: best 0.5
        {0.5, 0.025f, 1, 0},
        {0.5, floor, 0, 2},     // 0.0125 is below min_lr: min_lr
        {0.5, floor, 0, 1},
        {0.5, floor, 1, 0},
        {0.5, floor, 2, 0},     // at min_lr: no further reduction, wait goes on
        {0.5, floor, 3, 0},
    };
    for (std::size_t e = 0; e < trace.size(); ++e) {
        train::Logs logs{{"loss", 0.3}, {"val_loss", trace[e].val_loss}};
        const float before = model.optimizer().learning_rate();
        reduce.on_epoch_logs(int(e), logs);
        BOOST_TEST(logs.at("learning_rate") == double(before));  // the rate the epoch used
        reduce.on_epoch_end(int(e), logs);
        BOOST_TEST(model.optimizer().learning_rate() == trace[e].lr, "epoch " << e);
        BOOST_TEST(reduce.wait() == trace[e].wait, "epoch " << e);
        BOOST_TEST(reduce.cooldown_left() == trace[e].cooldown_left, "epoch " << e);
    }
    BOOST_TEST(reduce.best() == 0.5);
    // on_train_begin starts over: best, wait and cooldown.
    reduce.on_train_begin({});
    BOOST_TEST(reduce.best() == INFINITY);
    BOOST_TEST(reduce.wait() == 0);
}

BOOST_AUTO_TEST_CASE(reduce_on_plateau_maximises_accuracy_and_keeps_a_tiny_rate) {
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    train::ReduceLROnPlateau reduce("val_accuracy", 0.5, 1, 0.0);
    reduce.set_model(&model);
    reduce.on_train_begin({});
    BOOST_TEST(reduce.best() == -INFINITY);
    const std::vector<std::pair<double, float>> trace = {{0.5, 0.1f}, {0.6, 0.1f}, {0.6, 0.05f}, {0.7, 0.05f}};
    for (std::size_t e = 0; e < trace.size(); ++e) {
        reduce.on_epoch_end(int(e), {{"val_accuracy", trace[e].first}});
        BOOST_TEST(model.optimizer().learning_rate() == trace[e].second, "epoch " << e);
    }
    // A rate whose reduction rounds to 0 in float stays (0 is not a learning rate).
    const float tiny = std::numeric_limits<float>::denorm_min();
    model.optimizer().set_learning_rate(tiny);
    reduce.on_epoch_end(4, {{"val_accuracy", 0.1}});
    BOOST_TEST(model.optimizer().learning_rate() == tiny);
}

BOOST_AUTO_TEST_CASE(reduce_on_plateau_in_fit) {
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    // min_delta 100: only the first epoch "improves", so every later one reduces (patience 1).
    auto reduce = std::make_shared<train::ReduceLROnPlateau>("loss", 0.5, 1, 100.0);
    auto h = model.fit(x, y, {.epochs = 4, .batch_size = 16, .verbose = 0, .callbacks = {reduce}});
    const std::vector<double> used = {0.1f, 0.1f, 0.05f, 0.025f};
    BOOST_TEST(h["learning_rate"] == used, boost::test_tools::per_element());
    BOOST_TEST(model.optimizer().learning_rate() == 0.0125f);
}

BOOST_AUTO_TEST_CASE(reduce_on_plateau_errors) {
    using R = train::ReduceLROnPlateau;
    BOOST_CHECK_EXCEPTION(R("val_loss", 1.0), ValueError,
                          has_message("ReduceLROnPlateau: factor must be in (0, 1) (the rate is multiplied by it), got 1"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 1.5), ValueError,
                          has_message("factor must be in (0, 1) (the rate is multiplied by it), got 1.5"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 0.0), ValueError, has_message("ReduceLROnPlateau: factor must be in (0, 1)"));
    BOOST_CHECK_EXCEPTION(R("val_loss", -0.5), ValueError, has_message("got -0.5"));
    BOOST_CHECK_EXCEPTION(R("val_loss", std::nan("")), ValueError,
                          has_message("factor must be in (0, 1) (the rate is multiplied by it), got nan"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 0.1, -1), ValueError, has_message("ReduceLROnPlateau: patience must be >= 0, got -1"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 0.1, 10, -1e-4), ValueError,
                          has_message("ReduceLROnPlateau: min_delta must be finite and >= 0, got -0.0001"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 0.1, 10, 1e-4, -2), ValueError, has_message("ReduceLROnPlateau: cooldown must be >= 0, got -2"));
    BOOST_CHECK_EXCEPTION(R("val_loss", 0.1, 10, 1e-4, 0, -1.0), ValueError,
                          has_message("ReduceLROnPlateau: min_lr must be finite and >= 0, got -1"));

    // The monitored entry missing: a ValueError listing the logs' entries, as EarlyStopping.
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    auto reduce = std::make_shared<R>();  // val_loss, but no validation data
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0, .callbacks = {reduce}}), ValueError,
                          has_message("ReduceLROnPlateau: monitored quantity 'val_loss' is not in the logs; available: "
                                      "learning_rate, loss"));
    R detached;
    BOOST_CHECK_EXCEPTION(detached.on_epoch_end(0, {{"val_loss", 1.0}}), ValueError, has_message("ReduceLROnPlateau: no model"));
}

BOOST_AUTO_TEST_CASE(reduce_on_plateau_verbose) {
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    train::ReduceLROnPlateau reduce("loss", 0.5, 0, 0.0, 0, 0.0, 1);
    reduce.set_model(&model);
    CaptureCout cout;
    reduce.on_epoch_end(0, {{"loss", 1.0}});
    reduce.on_epoch_end(1, {{"loss", 1.0}});
    BOOST_TEST(cout.text.str() == "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.\n");
}

BOOST_AUTO_TEST_CASE(history_takes_keys_that_appear_later) {
    train::History h;
    h.append({{"loss", 1.0}, {"val_loss", 2.0}});
    h.append({{"loss", 0.5}, {"val_loss", 1.5}, {"learning_rate", 0.01}});
    h.append({{"loss", 0.25}, {"learning_rate", 0.02}});
    BOOST_TEST((h.keys == std::vector<std::string>{"loss", "val_loss", "learning_rate"}));
    BOOST_TEST(h.epochs == 3u);
    BOOST_TEST(std::isnan(h["learning_rate"][0]));
    BOOST_TEST(h["learning_rate"][1] == 0.01);
    BOOST_TEST(h["learning_rate"][2] == 0.02);
    BOOST_TEST(std::isnan(h["val_loss"][2]));
    BOOST_TEST(h.to_csv() == "epoch,loss,val_loss,learning_rate\n0,1,2,nan\n1,0.5,1.5,0.01\n2,0.25,nan,0.02\n");
}

BOOST_AUTO_TEST_SUITE_END()

// =================================================================================================
// Helpers of the file callbacks' tests.
namespace {

std::string read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out(1);
    for (char c : line) {
        if (c == sep) out.emplace_back();
        else out.back() += c;
    }
    return out;
}

std::set<std::string> files_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

using Snapshot = std::vector<std::pair<std::string, Array>>;

Snapshot snapshot(const nn::Model& m) {
    Snapshot s;
    for (const auto& [n, t] : m.named_parameters()) s.emplace_back(n, t.value());
    return s;
}

bool same_bits(const Array& a, const Array& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Every parameter, same name and same bits (NaN included).
boost::test_tools::predicate_result equal_bits(const Snapshot& a, const Snapshot& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].first != b[i].first || !same_bits(a[i].second, b[i].second)) {
            boost::test_tools::predicate_result r(false);
            r.message() << "'" << a[i].first << "' differs";
            return r;
        }
    }
    return true;
}

// A layer type not registered for saving: a model holding it cannot be saved whole.
class Unregistered : public nn::Module {
public:
    Tensor forward(const Tensor& x) override { return x * 2.f; }
    std::string type_name() const override { return "Unregistered"; }
    std::shared_ptr<nn::Module> clone() const override { return std::make_shared<Unregistered>(*this); }
};

// Adds an entry to every epoch's logs, as a user's callback may.
struct AddsEntry : train::Callback {
    std::string key;
    explicit AddsEntry(std::string k) : key(std::move(k)) {}
    void on_epoch_logs(int epoch, train::Logs& logs) override { logs[key] = 10.0 + epoch; }
};

}  // namespace

// =================================================================================================
BOOST_AUTO_TEST_SUITE(nn_callbacks_files)

BOOST_AUTO_TEST_CASE(checkpoint_names_follow_python_format) {
    train::ModelCheckpoint ck("out/w_{epoch:02d}_{val_loss:.4f}.bin");
    BOOST_TEST(ck.filepath_for(4, {{"val_loss", 0.123456}}) == "out/w_05_0.1235.bin");
    // Expected strings from Python: '{epoch}|{loss}'.format(epoch=..., loss=...).
    train::ModelCheckpoint plain("{epoch}|{loss}");
    const std::vector<std::pair<double, std::string>> python = {
        {0.1, "0.1"},         {2.0, "2.0"},       {1e16, "1e+16"},   {123456789.0, "123456789.0"},
        {1.5e-7, "1.5e-07"},  {0.0001, "0.0001"}, {1e-05, "1e-05"},  {std::nan(""), "nan"},
        {-0.25, "-0.25"},     {-0.0, "-0.0"},     {INFINITY, "inf"}, {1234567890123456.0, "1234567890123456.0"},
        {1.0 / 3, "0.3333333333333333"},          {0.1 + 0.2, "0.30000000000000004"},
    };
    for (const auto& [v, text] : python) BOOST_TEST(plain.filepath_for(11, {{"loss", v}}) == "12|" + text);
    // '{loss:08.3f}|{epoch:3d}|{loss:.2e}|{loss:g}|{{lit}}|{epoch:02d}|{loss:10}|{loss:08}|{epoch:.1f}|{neg:07.2f}'
    train::ModelCheckpoint specs(
        "{loss:08.3f}|{epoch:3d}|{loss:.2e}|{loss:g}|{{lit}}|{epoch:02d}|{loss:10}|{loss:08}|{epoch:.1f}|{neg:07.2f}");
    BOOST_TEST(specs.filepath_for(4, {{"loss", 1.5}, {"neg", -1.5}}) ==
               "0001.500|  5|1.50e+00|1.5|{lit}|05|       1.5|000001.5|5.0|-001.50");
}

BOOST_AUTO_TEST_CASE(checkpoint_writes_every_epoch_with_the_expected_names) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy", {"accuracy"});
    auto ck = std::make_shared<train::ModelCheckpoint>(dir / "w_{epoch:02d}_{val_loss:.4f}.bin");
    std::vector<std::set<std::string>> seen;  // the directory after each epoch's checkpoint
    auto probe = std::make_shared<train::LambdaCallback>();
    probe->epoch_end = [&](int, const train::Logs&) { seen.push_back(files_in(dir.path)); };
    auto h = model.fit(x, y, {.epochs = 3, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0, .callbacks = {ck, probe}});
    std::set<std::string> expected;
    for (std::size_t e = 0; e < 3; ++e) {
        char name[64];
        std::snprintf(name, sizeof name, "w_%02zu_%.4f.bin", e + 1, h["val_loss"][e]);
        expected.insert(name);
        BOOST_TEST(seen[e] == expected, "after epoch " << e + 1);  // written at that epoch's end, nothing else
    }
    char last[64];
    std::snprintf(last, sizeof last, "w_03_%.4f.bin", h["val_loss"][2]);
    BOOST_TEST(ck->last_saved() == dir / last);
    // The last file holds the final weights (and the optimizer's state).
    auto other = classifier(77);
    other.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy", {"accuracy"});
    other.load_weights(ck->last_saved());
    BOOST_TEST(equal_bits(snapshot(model), snapshot(other)));
    BOOST_TEST(other.optimizer().iterations() == model.optimizer().iterations());
}

BOOST_AUTO_TEST_CASE(checkpoint_best_only_reproduces_the_best_epoch) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    // A spike of the rate at epoch 2 makes the validation loss worse there: not saved.
    auto spike = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return epoch == 2 ? 40.0 : 0.2; });
    auto ck = std::make_shared<train::ModelCheckpoint>(dir / "best_{epoch}.bin", "val_loss", true);
    auto h = model.fit(x, y, {.epochs = 5, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0, .callbacks = {spike, ck}});
    std::set<std::string> expected;
    double best = INFINITY;
    std::size_t best_epoch = 0;
    for (std::size_t e = 0; e < 5; ++e) {
        if (h["val_loss"][e] < best) {
            best = h["val_loss"][e];
            best_epoch = e;
            expected.insert("best_" + std::to_string(e + 1) + ".bin");
        }
    }
    BOOST_TEST_REQUIRE(expected.size() < 5u);  // some epoch did not improve: the test can tell
    BOOST_TEST(files_in(dir.path) == expected);
    BOOST_TEST(ck->best() == best);
    BOOST_TEST(ck->last_saved() == dir / ("best_" + std::to_string(best_epoch + 1) + ".bin"));
    auto fresh = classifier(77);
    fresh.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    fresh.load_weights(ck->last_saved());
    // The validation of fit is evaluate with fit's batch size: the same sums, the same double.
    BOOST_TEST(fresh.evaluate(xv, yv, {.batch_size = 16, .verbose = 0}).at("loss") == best);
}

BOOST_AUTO_TEST_CASE(checkpoint_whole_model_files_rebuild_the_model) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy", {"accuracy"});
    auto decay = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return 0.2 / (epoch + 1); });
    auto ck = std::make_shared<train::ModelCheckpoint>(dir / "m_{epoch}.xgrad", "val_loss", false, /*save_weights_only=*/false);
    model.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0, .callbacks = {decay, ck}});
    BOOST_TEST(files_in(dir.path) == (std::set<std::string>{"m_1.xgrad", "m_2.xgrad"}));
    auto loaded = train::load_model(dir / "m_2.xgrad");
    BOOST_TEST(loaded->name() == model.name());
    BOOST_TEST(equal_bits(snapshot(*loaded), snapshot(model)));
    // The optimizer's options hold the rate the last epoch used; its state comes back too.
    BOOST_TEST(loaded->optimizer().learning_rate() == float(0.2 / 2));
    BOOST_TEST(loaded->optimizer().iterations() == model.optimizer().iterations());
    // By default the checkpoint is a weights file, which load_model refuses (it has no architecture).
    model.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0,
                     .callbacks = {std::make_shared<train::ModelCheckpoint>(dir / "w.bin")}});
    BOOST_CHECK_THROW(train::load_model(dir / "w.bin"), IoError);

    // A model that cannot be saved whole is refused in on_train_begin, before any step.
    auto in = nn::Input({4}, "in");
    auto odd = std::make_shared<Unregistered>();
    nn::Model outer({in}, {nn::Dense(3, "softmax")((*odd)(in))}, "outer");
    outer.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    int steps = 0;
    auto whole = std::make_shared<train::ModelCheckpoint>(dir / "outer.xgrad", "val_loss", false, false);
    BOOST_CHECK_EXCEPTION(outer.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {whole, step_counter(steps)}}), ValueError,
                          has_message("ModelCheckpoint: save_weights_only = false, but the whole model cannot be saved: "
                                      "model 'outer': layer 'unregistered_1' (Unregistered"));
    BOOST_TEST(steps == 0);
    BOOST_TEST(!fs::exists(dir.path / "outer.xgrad"));
}

BOOST_AUTO_TEST_CASE(checkpoint_errors) {
    using CK = train::ModelCheckpoint;
    const std::vector<std::pair<std::string, std::string>> malformed = {
        {"w_{epoch", "the '{' at position 2 is not closed (write {{ for a literal brace)"},
        {"w_{ep{och}", "the '{' at position 2 is not closed"},
        {"w_}x", "single '}' at position 2 (write }} for a literal brace)"},
        {"w_{}", "the field {} has no name (write {epoch} or {<log key>})"},
        {"w_{loss!r}", "the field {loss!r} uses a conversion, attribute or index"},
        {"w_{loss:.4}", "the format spec '.4' of {loss:.4} is not supported"},
        {"w_{loss:x}", "the format spec 'x' of {loss:x} is not supported"},
        {"w_{loss:>8.2f}", "the format spec '>8.2f' of {loss:>8.2f} is not supported"},
        {"w_{loss:.f}", "the field {loss:.f} has '.' without a precision"},
        {"w_{loss:d}", "the field {loss:d} formats 'loss' as an integer (d), but log entries are floats"},
        {"w_{epoch:.2d}", "the field {epoch:.2d} gives a precision to an integer format"},
        {"run_{epoch}/w.bin", "a field is in the directory part; only the file name may vary"},
    };
    for (const auto& [pattern, why] : malformed) {
        BOOST_CHECK_EXCEPTION(CK{pattern}, ValueError, has_message("ModelCheckpoint: malformed filepath '" + pattern + "': " + why));
    }
    BOOST_CHECK_EXCEPTION(CK{""}, ValueError, has_message("ModelCheckpoint: filepath '' names no file"));
    BOOST_CHECK_EXCEPTION(CK("dir/"), ValueError, has_message("ModelCheckpoint: filepath 'dir/' names no file"));

    TempDir dir;
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    int steps = 0;
    // A missing directory fails in on_train_begin: no step has run.
    const std::string missing = dir / "no/such/w_{epoch}.bin";
    BOOST_CHECK_EXCEPTION(
        model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {std::make_shared<CK>(missing), step_counter(steps)}}), IoError,
        has_message("ModelCheckpoint: cannot write '" + missing + "': directory '" + (dir / "no/such") + "' does not exist"));
    BOOST_TEST(steps == 0);
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {std::make_shared<CK>(dir.path.string())}}),
                          IoError, has_message("ModelCheckpoint: '" + dir.path.string() + "' is a directory, not a file name"));
    if (::geteuid() != 0) {  // root writes anywhere
        fs::create_directory(dir.path / "ro");
        fs::permissions(dir.path / "ro", fs::perms::owner_read | fs::perms::owner_exec);
        BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {std::make_shared<CK>(dir / "ro/w.bin")}}),
                              IoError, has_message("is not writable"));
    }
    // An unknown key fails at the first epoch end, before any file is written.
    const std::string typo = dir / "w_{val_los:.3f}.bin";
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 2, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0,
                                           .callbacks = {std::make_shared<CK>(typo)}}),
                          ValueError, has_message("ModelCheckpoint: filepath '" + typo + "' uses 'val_los', which is not in the "
                                                  "logs of epoch 1; available: epoch, loss, val_loss"));
    BOOST_TEST(files_in(dir.path).empty());
    // save_best_only without the monitored entry: as EarlyStopping.
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0,
                                           .callbacks = {std::make_shared<CK>(dir / "w.bin", "val_loss", true)}}),
                          ValueError, has_message("ModelCheckpoint: monitored quantity 'val_loss' is not in the logs; available: loss"));
    BOOST_TEST(files_in(dir.path).empty());
}

BOOST_AUTO_TEST_CASE(csv_logger_writes_one_row_per_epoch_atomically) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy", {"accuracy"});
    const std::string path = dir / "log.csv";
    {
        std::ofstream stale(path);
        stale << "a stale log of an earlier run\n";
    }
    auto csv = std::make_shared<train::CSVLogger>(path);
    std::vector<std::string> at_begin, at_end;
    auto probe = std::make_shared<train::LambdaCallback>();
    probe->batch_begin = [&](int batch, const train::Logs&) { if (batch == 0) at_begin.push_back(read_all(path)); };
    probe->epoch_end = [&](int, const train::Logs&) { at_end.push_back(read_all(path)); };
    auto h = model.fit(x, y, {.epochs = 3, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0, .callbacks = {csv, probe}});
    BOOST_TEST(at_begin[0] == "");  // truncated when training began
    const std::vector<std::string> columns = {"epoch", "accuracy", "loss", "val_accuracy", "val_loss"};
    for (std::size_t e = 0; e < 3; ++e) {
        const auto lines = lines_of(at_end[e]);
        BOOST_TEST_REQUIRE(lines.size() == e + 2, "after epoch " << e);  // header + one row per epoch so far
        BOOST_TEST(split(lines[0], ',') == columns, boost::test_tools::per_element());
        for (std::size_t r = 0; r <= e; ++r) {
            const auto cells = split(lines[r + 1], ',');
            BOOST_TEST_REQUIRE(cells.size() == columns.size());
            BOOST_TEST(cells[0] == std::to_string(r));  // 0-based, as Keras
            for (std::size_t c = 1; c < columns.size(); ++c) {
                // Shortest round-trip digits: the value reads back exactly.
                BOOST_TEST(std::strtod(cells[c].c_str(), nullptr) == h[columns[c]][r], columns[c] << " of epoch " << r);
            }
        }
    }
    BOOST_TEST(read_all(path) == at_end.back());
    BOOST_TEST(csv->text() == at_end.back());
    BOOST_TEST(files_in(dir.path) == std::set<std::string>{"log.csv"});  // no temporaries left
}

BOOST_AUTO_TEST_CASE(csv_logger_appends_quotes_and_separates) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    const std::string path = dir / "log.csv";
    auto first = model.fit(x, y, {.epochs = 2, .batch_size = 16, .verbose = 0,
                                  .callbacks = {std::make_shared<train::CSVLogger>(path, ';', true)}});
    const std::string once = read_all(path);
    BOOST_TEST(lines_of(once).size() == 3u);
    BOOST_TEST(lines_of(once)[0] == "epoch;loss");
    // append: the earlier rows stay and no second header is written, as Keras.
    auto second = model.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0,
                                   .callbacks = {std::make_shared<train::CSVLogger>(path, ';', true)}});
    const auto appended = lines_of(read_all(path));
    BOOST_TEST_REQUIRE(appended.size() == 4u);
    BOOST_TEST(read_all(path).substr(0, once.size()) == once);
    BOOST_TEST(appended[3] == "0;" + split(appended[3], ';')[1]);
    BOOST_TEST(std::strtod(split(appended[3], ';')[1].c_str(), nullptr) == second["loss"][0]);
    // Not appending: the file starts over. A key holding the separator or a quote is quoted.
    model.fit(x, y, {.epochs = 1, .batch_size = 16, .verbose = 0,
                     .callbacks = {std::make_shared<AddsEntry>("a;b \"c\""), std::make_shared<train::CSVLogger>(path, ';')}});
    const auto fresh = lines_of(read_all(path));
    BOOST_TEST_REQUIRE(fresh.size() == 2u);
    BOOST_TEST(fresh[0] == "epoch;\"a;b \"\"c\"\"\";loss");
    BOOST_TEST(fresh[1].substr(0, 7) == "0;10.0;");
}

BOOST_AUTO_TEST_CASE(csv_logger_errors) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    int steps = 0;
    const std::string missing = dir / "no/log.csv";
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .verbose = 0,
                                           .callbacks = {std::make_shared<train::CSVLogger>(missing), step_counter(steps)}}),
                          IoError,
                          has_message("CSVLogger: cannot write '" + missing + "': directory '" + (dir / "no") + "' does not exist"));
    BOOST_TEST(steps == 0);
    BOOST_CHECK_EXCEPTION(model.fit(x, y, {.epochs = 1, .verbose = 0,
                                           .callbacks = {std::make_shared<train::CSVLogger>(dir.path.string()), step_counter(steps)}}),
                          IoError, has_message("CSVLogger: '" + dir.path.string() + "' is a directory, not a file name"));
    BOOST_TEST(steps == 0);
    BOOST_CHECK_EXCEPTION(train::CSVLogger(""), ValueError, has_message("CSVLogger: empty filename"));
    BOOST_CHECK_EXCEPTION(train::CSVLogger("x.csv", '"'), ValueError,
                          has_message("CSVLogger: the separator cannot be a quote, a line break or NUL (got character code 34)"));
    BOOST_CHECK_EXCEPTION(train::CSVLogger("x.csv", '\n'), ValueError, has_message("(got character code 10)"));
}

BOOST_AUTO_TEST_SUITE_END()

// =================================================================================================
namespace {

// With BatchNormalization: its moving statistics are parameters no gradient trains.
nn::Sequential normalized(std::uint64_t seed = 5) {
    manual_seed(seed);
    nn::Sequential m;
    m.add(nn::Dense(8, "relu", 4));
    m.add(nn::BatchNormalization());
    m.add(nn::Dense(3, "softmax"));
    return m;
}

// Trains `model` 6 epochs; a rate spike from epoch 3 on spoils the validation loss, so the best
// epoch is an early one. Returns the History and every epoch's weights.
std::pair<train::History, std::vector<Snapshot>> spoiled_run(nn::Model& model, std::shared_ptr<train::EarlyStopping> stop,
                                                             const Array& xv, const Array& yv) {
    auto [x, y] = rows(48);
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    auto spike = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return epoch >= 3 ? 30.0 : 0.1; });
    std::vector<Snapshot> weights;
    auto probe = std::make_shared<train::LambdaCallback>();
    probe->epoch_end = [&](int, const train::Logs&) { weights.push_back(snapshot(model)); };
    auto h = model.fit(x, y, {.epochs = 6, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0,
                              .callbacks = {spike, probe, stop}});
    return {h, weights};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_callbacks_restore)

BOOST_AUTO_TEST_CASE(restore_best_weights_puts_back_the_best_epoch_bit_for_bit) {
    auto [xv, yv] = rows(24, 99);
    auto model = normalized();
    // patience 10: training runs all its epochs and still restores (Keras 3).
    auto stop = std::make_shared<train::EarlyStopping>("val_loss", 10, 0.0, true);
    auto [h, weights] = spoiled_run(model, stop, xv, yv);
    BOOST_TEST_REQUIRE(h.epochs == 6u);
    BOOST_TEST(h.stop_reason == "");
    const auto& val = h["val_loss"];
    const std::size_t best = std::size_t(std::min_element(val.begin(), val.end()) - val.begin());
    BOOST_TEST_REQUIRE(best < 5u);  // the final weights are not the best: there is something to restore
    BOOST_TEST(stop->best_epoch() == int(best));
    BOOST_TEST(stop->restored());
    const Snapshot now = snapshot(model);
    bool has_moving = false, differs_from_final = false;
    for (std::size_t i = 0; i < now.size(); ++i) {
        BOOST_TEST(same_bits(now[i].second, weights[best][i].second), now[i].first);
        has_moving = has_moving || now[i].first.find("moving_") != std::string::npos;
        differs_from_final = differs_from_final || !same_bits(now[i].second, weights[5][i].second);
    }
    BOOST_TEST(has_moving);  // BatchNormalization's statistics are among them
    BOOST_TEST(differs_from_final);
    BOOST_TEST(model.evaluate(xv, yv, {.batch_size = 16, .verbose = 0}).at("loss") == val[best]);
}

BOOST_AUTO_TEST_CASE(restore_best_weights_after_an_early_stop_and_only_when_asked) {
    auto [xv, yv] = rows(24, 99);
    auto stopped = normalized();
    auto stop = std::make_shared<train::EarlyStopping>("val_loss", 1, 0.0, true);
    auto [h, weights] = spoiled_run(stopped, stop, xv, yv);
    BOOST_TEST_REQUIRE(h.epochs < 6u);
    BOOST_TEST(stop->restored());
    BOOST_TEST(equal_bits(snapshot(stopped), weights[std::size_t(stop->best_epoch())]));
    BOOST_TEST(!equal_bits(snapshot(stopped), weights.back()));

    // Without restore_best_weights the final weights stay.
    auto kept = normalized();
    auto plain = std::make_shared<train::EarlyStopping>("val_loss", 1);
    auto [h2, weights2] = spoiled_run(kept, plain, xv, yv);
    BOOST_TEST(!plain->restored());
    BOOST_TEST(equal_bits(snapshot(kept), weights2.back()));
}

BOOST_AUTO_TEST_CASE(no_restore_when_the_last_epoch_is_the_best) {
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = normalized();
    model.compile(optim::SGD({.learning_rate = 0.05f}), "categorical_crossentropy");
    auto stop = std::make_shared<train::EarlyStopping>("val_loss", 5, 0.0, true);
    auto h = model.fit(x, y, {.epochs = 3, .batch_size = 16, .validation_data = std::pair{xv, yv}, .verbose = 0, .callbacks = {stop}});
    const auto& val = h["val_loss"];
    BOOST_TEST_REQUIRE(val[2] < val[1]);
    BOOST_TEST_REQUIRE(val[1] < val[0]);
    BOOST_TEST(stop->best_epoch() == 2);
    BOOST_TEST(!stop->restored());
}

BOOST_AUTO_TEST_CASE(restore_into_a_changed_model_is_an_error) {
    auto a = classifier();
    auto b = normalized();
    train::EarlyStopping stop("val_loss", 3, 0.0, true);
    stop.set_model(&a);
    stop.on_train_begin({});
    stop.on_epoch_end(0, {{"val_loss", 1.0}});
    stop.on_epoch_end(1, {{"val_loss", 2.0}});
    stop.set_model(&b);
    BOOST_CHECK_EXCEPTION(stop.on_train_end({}), ValueError,
                          has_message("EarlyStopping: cannot restore the best weights: model '" + b.name() +
                                      "' no longer has the parameters it had at epoch 1"));
}

// A stop during an epoch (TerminateOnNaN) leaves it without validation: the monitoring callbacks
// skip it instead of failing on the missing val_loss.
BOOST_AUTO_TEST_CASE(an_epoch_cut_short_is_skipped_by_the_monitors) {
    TempDir dir;
    auto [x, y] = rows(48);
    auto [xv, yv] = rows(24, 99);
    auto model = classifier();
    model.compile(optim::SGD({.learning_rate = 0.1f}), "categorical_crossentropy");
    // A huge rate at epoch 1 makes the loss overflow within that epoch.
    auto blow_up = std::make_shared<train::LearningRateScheduler>([](int epoch, double) { return epoch == 1 ? 1e30 : 0.1; });
    auto stop = std::make_shared<train::EarlyStopping>("val_loss", 3, 0.0, true);
    auto reduce = std::make_shared<train::ReduceLROnPlateau>("val_loss");
    auto ck = std::make_shared<train::ModelCheckpoint>(dir / "w_{epoch}_{val_loss:.3f}.bin");
    auto best = std::make_shared<train::ModelCheckpoint>(dir / "best.bin", "val_loss", true);
    auto csv = std::make_shared<train::CSVLogger>(dir / "log.csv");
    auto h = model.fit(x, y, {.epochs = 4, .batch_size = 8, .shuffle = false, .validation_data = std::pair{xv, yv}, .verbose = 0,
                              .callbacks = {blow_up, std::make_shared<train::TerminateOnNaN>(), stop, reduce, ck, best, csv}});
    BOOST_TEST_REQUIRE(h.stop_reason.rfind("TerminateOnNaN: invalid loss", 0) == 0u, h.stop_reason);
    BOOST_TEST(h.epochs == 2u);
    char name[64];
    std::snprintf(name, sizeof name, "w_1_%.3f.bin", h["val_loss"][0]);
    BOOST_TEST(files_in(dir.path) == (std::set<std::string>{name, "best.bin", "log.csv"}));
    BOOST_TEST(stop->restored());  // back to epoch 1's finite weights
    BOOST_TEST(std::isfinite(model.evaluate(xv, yv, {.verbose = 0}).at("loss")));
    const auto lines = lines_of(read_all(dir / "log.csv"));
    BOOST_TEST_REQUIRE(lines.size() == 3u);
    BOOST_TEST(lines[0] == "epoch,learning_rate,loss,val_loss");
    const auto cells = split(lines[2], ',');
    BOOST_TEST_REQUIRE(cells.size() == 4u);
    BOOST_TEST(cells[0] == "1");
    BOOST_TEST(std::strtod(cells[1].c_str(), nullptr) == double(float(1e30)));
    BOOST_TEST(cells[3] == "NA");  // no validation ran in the epoch cut short
}

BOOST_AUTO_TEST_SUITE_END()
