// The one training engine: training/inference modes, callbacks seeing the model and its
// gradients, the data-parallel hooks, and models that are not Sequential.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;

namespace {

// Two blobs in 3-D with one-hot targets.
std::pair<Array, Array> two_blobs(std::size_t n, std::uint64_t seed = 3) { return test::blobs(n, 3, 2, seed, 0.4f, 1.5f); }

// Records the training flag every time it runs; otherwise the identity.
struct ModeProbe : nn::Module {
    std::vector<bool> seen;
    Tensor forward(const Tensor& x) override {
        seen.push_back(is_training());
        return x;
    }
    std::string type_name() const override { return "ModeProbe"; }
};

// Records every hook call; pretends to be rank `rank` of `world` and keeps the first half of
// each global batch (the engine must still reduce and step on every batch).
struct RecordingDistribution : train::Distribution {
    int rank_ = 0, world_ = 1;
    bool halve = false;
    std::vector<std::string> calls;
    std::vector<std::size_t> begin_params;
    std::vector<std::pair<std::size_t, std::size_t>> grad_counts;
    std::vector<std::size_t> global_sizes;
    std::size_t sums_size = 0;
    int rank() const override { return rank_; }
    int world_size() const override { return world_; }
    void on_train_begin(const std::vector<Tensor>& params) override {
        calls.push_back("begin");
        begin_params.push_back(params.size());
    }
    void on_train_end() override { calls.push_back("end"); }
    std::uint64_t shuffle_seed(std::uint64_t) override {
        calls.push_back("seed");
        return 42;
    }
    std::span<const std::size_t> local_batch(std::span<const std::size_t> global) override {
        global_sizes.push_back(global.size());
        return halve ? global.first(global.size() / 2) : global;
    }
    void reduce_gradients(const std::vector<Tensor>& params, std::size_t local, std::size_t global) override {
        for (const auto& p : params) BOOST_TEST(p.grad().defined());
        grad_counts.emplace_back(local, global);
    }
    void reduce_sums(std::vector<double>& values) override {
        calls.push_back("sums");
        sums_size = values.size();
    }
};

nn::Sequential small_net() {
    manual_seed(9);
    nn::Sequential m;
    m.add(nn::Dense(6, "relu", 3));
    m.add(nn::Dense(2, "softmax"));
    return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_engine)

BOOST_AUTO_TEST_CASE(fit_trains_in_training_mode_and_evaluate_predict_in_inference_mode) {
    auto [x, y] = two_blobs(40);
    auto probe = std::make_shared<ModeProbe>();
    nn::Sequential m;
    m.add(nn::Dense(4, "relu", 3));
    m.add(probe);
    m.add(nn::Dense(2, "softmax"));
    m.compile("sgd", "categorical_crossentropy");
    for (bool before : {false, true}) {
        m.train(before);
        probe->seen.clear();
        m.fit(x, y, {.epochs = 1, .batch_size = 10, .verbose = 0});
        BOOST_TEST(probe->seen.size() == 4u);
        BOOST_TEST(std::all_of(probe->seen.begin(), probe->seen.end(), [](bool t) { return t; }));
        BOOST_TEST(m.is_training() == before);  // restored
        BOOST_TEST(probe->is_training() == before);

        probe->seen.clear();
        m.evaluate(x, y, {.batch_size = 20, .verbose = 0});
        m.predict(x, {.batch_size = 20});
        BOOST_TEST(probe->seen.size() == 4u);
        BOOST_TEST(std::none_of(probe->seen.begin(), probe->seen.end(), [](bool t) { return t; }));
        BOOST_TEST(m.is_training() == before);
    }
    // Validation inside fit runs in inference mode, and training resumes in training mode.
    m.train(true);
    probe->seen.clear();
    m.fit(x, y, {.epochs = 2, .batch_size = 20, .validation_data = std::pair{x, y}, .verbose = 0});
    const std::vector<bool> expected{true, true, false, false, true, true, false, false};
    BOOST_TEST(probe->seen == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(callbacks_get_the_model_and_read_gradients_at_batch_end) {
    auto [x, y] = two_blobs(30);
    auto m = small_net();
    m.compile("rmsprop", "categorical_crossentropy", {"accuracy"});
    std::vector<double> norms;
    nn::Model* seen = nullptr;
    auto cb = std::make_shared<train::LambdaCallback>();
    cb->batch_end = [&](int, const train::Logs&) {
        seen = cb->model();
        double s = 0;
        for (auto& [name, p] : cb->model()->named_parameters()) {
            BOOST_REQUIRE(p.grad().defined());
            for (float g : p.grad().value()) s += double(g) * g;
        }
        norms.push_back(std::sqrt(s));
    };
    m.fit(x, y, {.epochs = 1, .batch_size = 10, .verbose = 0, .callbacks = {cb}});
    BOOST_TEST(seen == static_cast<nn::Model*>(&m));
    BOOST_TEST(norms.size() == 3u);
    for (double n : norms) BOOST_TEST(n > 0.0);
    BOOST_TEST(cb->model() == nullptr);  // detached after fit
}

BOOST_AUTO_TEST_CASE(distribution_hooks_are_called_in_order) {
    auto [x, y] = two_blobs(25);
    auto m = small_net();
    m.compile("sgd", "categorical_crossentropy", {"accuracy"});
    auto dist = std::make_shared<RecordingDistribution>();
    dist->world_ = 2;
    dist->halve = true;
    std::ostringstream out;
    auto h = m.fit(x, y, {.epochs = 2, .batch_size = 10, .validation_split = 0.2, .out = &out, .distribution = dist});
    // 20 training samples, batches of 10 -> 2 steps an epoch; each process takes 5 of 10.
    BOOST_TEST(dist->begin_params == std::vector<std::size_t>{4});
    BOOST_TEST(dist->grad_counts.size() == 4u);
    for (auto [local, global] : dist->grad_counts) {
        BOOST_TEST(local == 5u);
        BOOST_TEST(global == 10u);
    }
    // begin, seed, then per epoch: the training sums and the validation sums; end last.
    const std::vector<std::string> calls{"begin", "seed", "sums", "sums", "sums", "sums", "end"};
    BOOST_TEST(dist->calls == calls, boost::test_tools::per_element());
    BOOST_TEST(dist->sums_size == 3u);  // loss, accuracy, sample count
    BOOST_TEST(out.str().find("Epoch 1/2") != std::string::npos);  // rank 0 prints
    BOOST_TEST(h["val_loss"].size() == 2u);

    // A non-chief process prints nothing and writes no weights file.
    dist->rank_ = 1;
    std::ostringstream quiet;
    m.fit(x, y, {.epochs = 1, .batch_size = 10, .out = &quiet, .distribution = dist});
    BOOST_TEST(quiet.str().empty());
    train::set_distribution(dist);
    const std::string path = "/tmp/xgrad_engine_rank1_" + std::to_string(::getpid()) + ".xgw";
    m.save_weights(path);
    train::set_distribution(nullptr);
    BOOST_TEST(!std::ifstream(path).good());
    BOOST_TEST(train::distribution().is_chief());
}

BOOST_AUTO_TEST_CASE(a_process_with_an_empty_share_still_reduces_and_steps) {
    auto [x, y] = two_blobs(8);
    auto m = small_net();
    m.compile("sgd", "categorical_crossentropy");
    struct Empty : RecordingDistribution {
        std::span<const std::size_t> local_batch(std::span<const std::size_t> g) override { return g.first(0); }
    };
    auto dist = std::make_shared<Empty>();
    dist->world_ = 2;
    m.fit(x, y, {.epochs = 1, .batch_size = 4, .verbose = 0, .distribution = dist});
    BOOST_TEST(dist->grad_counts.size() == 2u);  // zero gradients were reduced (checked defined)
    BOOST_TEST(dist->grad_counts[0].first == 0u);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_permutation_on_every_process) {
    // Two "processes" with different local generator states agree through shuffle_seed.
    auto [x, y] = two_blobs(20);
    auto run = [&](std::uint64_t local_seed) {
        auto m = small_net();
        m.compile("sgd", "categorical_crossentropy");
        auto dist = std::make_shared<RecordingDistribution>();
        manual_seed(local_seed);
        return m.fit(x, y, {.epochs = 2, .batch_size = 5, .verbose = 0, .distribution = dist})["loss"];
    };
    BOOST_TEST(run(1) == run(2), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
