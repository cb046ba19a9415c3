// Callbacks that control training: the learning-rate callbacks (LearningRateScheduler,
// ReduceLROnPlateau) and the epoch logs they add to, on a tiny Dense model and a few dozen
// synthetic rows.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <type_traits>
#include <utility>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;

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
