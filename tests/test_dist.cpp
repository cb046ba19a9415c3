// xgrad::dist. dist_single runs as one process without a launcher; the other suites run under
// `mpirun -np 2` (tests/dist.cmake) and check every rank's side of each collective.
#include "helpers.hpp"

#include <xgrad/dist/data_parallel.hpp>
#include <xgrad/dist/dist.hpp>
#include "dist/grad_buckets.hpp"
#include "dist/mpi_state.hpp"
#include <xgrad/xgrad.hpp>

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <sstream>

namespace xd = xgrad::dist;
using xgrad::Array;
using xgrad::test::has_message;

namespace {

// rank-dependent values: rank r holds base + 10 r.
Array ranked(const Array& base) { return base + 10.f * float(xd::rank()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(dist_single)

BOOST_AUTO_TEST_CASE(one_process_without_a_launcher) {
    xd::init();
    xd::init();  // idempotent
    BOOST_TEST(xd::initialized());
    BOOST_TEST(!xd::launched());
    BOOST_TEST(xd::rank() == 0);
    BOOST_TEST(xd::size() == 1);
    BOOST_TEST(xd::is_chief());
    xd::barrier();
    xgrad::Tensor t = xgrad::constant(Array{1.f, -2.f, 3.f});
    for (auto op : {xd::ReduceOp::Sum, xd::ReduceOp::Mean, xd::ReduceOp::Max, xd::ReduceOp::Min}) {
        xd::allreduce(t, op);
        BOOST_TEST((t.value() == Array{1.f, -2.f, 3.f}), "op " << xd::op_name(op));
    }
    xd::broadcast(t, 0);
    BOOST_TEST((t.value() == Array{1.f, -2.f, 3.f}));
}

BOOST_AUTO_TEST_CASE(errors_name_the_call) {
    xgrad::Tensor p = xgrad::parameter(Array{1.f, 2.f}, "w");
    xgrad::Tensor y = p * 2.f;
    BOOST_CHECK_EXCEPTION(xd::allreduce(y), xgrad::GraphError, has_message{"dist::allreduce"});
    BOOST_CHECK_EXCEPTION(xd::allreduce(y), xgrad::GraphError, has_message{"computed by op 'mul'"});
    BOOST_CHECK_EXCEPTION(xd::broadcast(xgrad::Tensor()), xgrad::GraphError, has_message{"dist::broadcast: undefined tensor"});
    BOOST_CHECK_EXCEPTION(xd::broadcast(p, 1), xgrad::ValueError, has_message{"root 1 is not a rank of this job (0..0)"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dist_collectives)

BOOST_AUTO_TEST_CASE(two_ranks) {
    xd::init();
    BOOST_TEST_REQUIRE(xd::size() == 2);
    BOOST_TEST(xd::launched());
    BOOST_TEST(xd::is_chief() == (xd::rank() == 0));
    xd::barrier();
}

BOOST_AUTO_TEST_CASE(allreduce_every_op) {
    const Array base{{1.f, -2.f}, {3.5f, 0.25f}};
    // Two ranks: base and base + 10.
    const Array sum = 2.f * base + 10.f, mean = base + 5.f, mx = base + 10.f;
    auto run = [&](xd::ReduceOp op) {
        xgrad::Tensor t = xgrad::constant(ranked(base));
        xd::allreduce(t, op);
        return Array(t.value());
    };
    BOOST_TEST((run(xd::ReduceOp::Sum) == sum));
    BOOST_TEST((run(xd::ReduceOp::Mean) == mean));
    BOOST_TEST((run(xd::ReduceOp::Max) == mx));
    BOOST_TEST((run(xd::ReduceOp::Min) == base));
    // Parameters and raw spans too.
    xgrad::Tensor w = xgrad::parameter(ranked(base), "w");
    xd::allreduce(w, xd::ReduceOp::Mean);
    BOOST_TEST((w.value() == mean));
    std::vector<double> counts{double(xd::rank() + 1), 0.5};
    xd::allreduce(std::span<double>(counts));
    BOOST_TEST(counts[0] == 3.0);
    BOOST_TEST(counts[1] == 1.0);
}

BOOST_AUTO_TEST_CASE(broadcast_from_either_root) {
    const Array base{0.5f, 1.5f, -7.f};
    for (int root : {0, 1}) {
        xgrad::Tensor t = xgrad::parameter(ranked(base), "w");
        xd::broadcast(t, root);
        BOOST_TEST((t.value() == base + 10.f * float(root)), "root " << root);
    }
}

BOOST_AUTO_TEST_CASE(shape_mismatch_is_one_error_on_every_rank) {
    // Rank 0 passes (2, 3), rank 1 (3, 2): same element count, so only the shape check sees it.
    xgrad::Tensor t = xgrad::constant(xd::rank() == 0 ? Array(Array::shape_type{2, 3}) : Array(Array::shape_type{3, 2}));
    BOOST_CHECK_EXCEPTION(xd::allreduce(t), xgrad::ShapeError,
                          has_message{"dist::allreduce: the tensor's shape differs across ranks (rank 0 (2, 3), rank 1 (3, 2))"});
    xgrad::Tensor v = xgrad::constant(Array(Array::shape_type{std::size_t(3 + xd::rank())}));
    BOOST_CHECK_EXCEPTION(xd::broadcast(v), xgrad::ShapeError, has_message{"rank 0 (3,), rank 1 (4,)"});
    // The job is still usable afterwards.
    xgrad::Tensor ok = xgrad::constant(Array{1.f});
    xd::allreduce(ok);
    BOOST_TEST(ok.item() == 2.f);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dist_gradients)

// The bucketed allreduce of two unequal shares (6 + 4 samples) gives the gradient of the mean
// loss over all 10 samples, whatever the bucket size, with and without overlap.
BOOST_AUTO_TEST_CASE(bucketed_average_is_the_whole_batch_gradient) {
    xd::init();
    BOOST_TEST_REQUIRE(xd::size() == 2);
    const Array x = xgrad::test::mixed({10, 8}, -1.f, 1.f);
    const Array y = xgrad::data::to_categorical(Array{0.f, 1.f, 2.f, 1.f, 0.f, 2.f, 2.f, 1.f, 0.f, 1.f}, 3);
    const xgrad::losses::Loss loss("categorical_crossentropy");
    for (bool overlap : {false, true}) {
        for (std::size_t bucket_bytes : {std::size_t(64), std::size_t(600), std::size_t(1) << 20}) {
            xgrad::manual_seed(7);  // same initial weights on both ranks
            xgrad::nn::Sequential net;
            net.add(xgrad::nn::Dense(16, "relu", 8));
            net.add(xgrad::nn::Dense(3, "softmax"));
            std::vector<xgrad::Tensor> params = net.parameters();
            auto grads = [&](std::size_t begin, std::size_t end) {
                return loss(xgrad::constant(xgrad::slice_rows(xgrad::constant(y), begin, end).value()),
                            net.forward(xgrad::slice_rows(xgrad::constant(x), begin, end)));
            };
            // The single-process reference: one backward over the whole batch.
            for (auto& p : params) p.zero_grad();
            grads(0, 10).backward();
            std::vector<Array> expected;
            for (auto& p : params) expected.push_back(p.grad().value());
            for (auto& p : params) p.zero_grad();

            const std::size_t begin = xd::rank() == 0 ? 0 : 6, end = xd::rank() == 0 ? 6 : 10;
            xgrad::dist::detail::GradBuckets buckets(params, bucket_bytes, overlap, xgrad::dist::detail::comm("test"));
            buckets.begin(float(end - begin) / 10.f, MPI_Wtime());
            buckets.backward(grads(begin, end));
            buckets.finish();
            // 64 bytes: one parameter per bucket; 600 bytes: the last three share one; 1 MB: one.
            const std::size_t expected_buckets = bucket_bytes == 64 ? 4 : bucket_bytes == 600 ? 2 : 1;
            BOOST_TEST(buckets.bucket_count() == expected_buckets, "bucket_bytes " << bucket_bytes);
            BOOST_TEST(buckets.stats().floats == std::size_t(8 * 16 + 16 + 16 * 3 + 3));
            for (std::size_t i = 0; i < params.size(); ++i) {
                const Array& got = params[i].grad().value();
                BOOST_TEST(xt::allclose(got, expected[i], 1e-5, 1e-6),
                           params[i].label() << " overlap " << overlap << " bucket_bytes " << bucket_bytes
                                              << "\ngot " << got << "\nexpected " << expected[i]);
            }
        }
    }
}

// A rank with no samples in a step (a last global batch smaller than the job) still takes part
// and contributes zeros.
BOOST_AUTO_TEST_CASE(a_rank_without_samples_contributes_zeros) {
    xgrad::manual_seed(3);
    xgrad::Tensor w = xgrad::parameter(xgrad::test::ramp({2, 2}, -1.f, 1.f), "w");
    w.zero_grad();
    xgrad::dist::detail::GradBuckets buckets({w}, 1 << 20, true, xgrad::dist::detail::comm("test"));
    buckets.begin(xd::rank() == 0 ? 1.f : 0.f, MPI_Wtime());
    buckets.backward(xd::rank() == 0 ? xgrad::sum(w * w) : xgrad::Tensor());
    buckets.finish();
    BOOST_TEST((w.grad().value() == 2.f * w.value()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dist_train)

namespace {

// A small classifier; the seed differs per rank unless `same`, so fit must broadcast rank 0's.
std::unique_ptr<xgrad::nn::Sequential> classifier(std::uint64_t seed, const xgrad::optim::Optimizer& opt) {
    xgrad::manual_seed(seed);
    auto net = std::make_unique<xgrad::nn::Sequential>();
    net->add(xgrad::nn::Dense(12, "tanh", 6));
    net->add(xgrad::nn::Dense(3, "softmax"));
    net->compile(opt, "categorical_crossentropy", {"accuracy"});
    return net;
}

// 45 samples of 6 features and 3 classes (identical on every rank).
struct Data {
    Array x = xgrad::test::mixed({45, 6}, -2.f, 2.f);
    Array y;
    Data() {
        Array labels(Array::shape_type{45});
        for (std::size_t i = 0; i < 45; ++i) labels(i) = float((i * 7 + i / 5) % 3);
        y = xgrad::data::to_categorical(labels, 3);
    }
};

// True on every rank when `a` is bit for bit rank 0's `a` (one flag reduced over the ranks).
bool same_bits_everywhere(const Array& a) {
    xgrad::Tensor root = xgrad::constant(a);
    xd::broadcast(root, 0);
    double differs = std::memcmp(root.value().data(), a.data(), a.size() * sizeof(float)) != 0 ? 1.0 : 0.0;
    xd::allreduce(std::span<double>(&differs, 1), xd::ReduceOp::Max);
    return differs == 0.0;
}

std::string temp_name(const std::string& what) {
    // The ranks of one job share their parent (mpirun's daemon): one name for all of them.
    return (std::filesystem::temp_directory_path() / ("xgrad-dist-" + std::to_string(::getppid()) + "-" + what)).string();
}

}  // namespace

BOOST_AUTO_TEST_CASE(weights_are_bit_identical_after_training) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    BOOST_TEST_REQUIRE(xgrad::train::distribution().world_size() == 2);  // dist::init installed DataParallel
    const Data d;
    for (bool overlap : {false, true}) {
        BOOST_TEST_CONTEXT("overlap " << overlap) {
            // Different initial weights and generator states on the two ranks.
            auto net = classifier(100 + std::uint64_t(xd::rank()), xgrad::optim::RMSprop());
            // batch 7: shares of 3 and 4 samples; the last global batch has 3 samples (1 + 2).
            auto dp = overlap ? std::make_shared<xgrad::dist::DataParallel>(xgrad::dist::DataParallelOptions{.overlap = true}) : nullptr;
            auto h = net->fit(d.x, d.y, {.epochs = 3, .batch_size = 7, .verbose = 0, .distribution = dp});
            for (auto& [name, p] : net->named_parameters()) BOOST_TEST(same_bits_everywhere(p.value()), name);
            // The optimizer state too (RMSprop's running squares).
            for (auto& [slot, v] : net->optimizer().state()) BOOST_TEST(same_bits_everywhere(v), slot);
            // History is global: the same numbers on both ranks.
            for (const auto& key : h.keys) {
                const auto& v = h[key];
                Array a(Array::shape_type{v.size()});
                std::copy(v.begin(), v.end(), a.begin());
                BOOST_TEST(same_bits_everywhere(a), key);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(training_matches_one_process_on_the_whole_batch) {
    const Data d;
    const xgrad::optim::SGD sgd({.learning_rate = 0.1f});
    // The reference: one process (the explicit single-process distribution), same start.
    auto ref = classifier(7, sgd);
    auto single = std::make_shared<xgrad::train::Distribution>();
    auto h_ref = ref->fit(d.x, d.y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0, .distribution = single});
    auto net = classifier(7, sgd);
    auto h = net->fit(d.x, d.y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0});
    auto p_ref = ref->named_parameters();
    auto p = net->named_parameters();
    for (std::size_t i = 0; i < p.size(); ++i) {
        BOOST_TEST(xt::allclose(p[i].second.value(), p_ref[i].second.value(), 1e-5, 1e-6), p[i].first);
    }
    for (const std::string key : {"loss", "accuracy"}) {
        for (std::size_t e = 0; e < 2; ++e) {
            BOOST_TEST(std::abs(h[key][e] - h_ref[key][e]) < 1e-5, key << " epoch " << e << ": " << h[key][e] << " vs " << h_ref[key][e]);
        }
    }
    // evaluate: each rank its share of every batch, reduced: the whole set's values.
    const auto r = net->evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0});
    const auto r_ref = net->evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0, .distribution = single});
    BOOST_TEST(std::abs(r.at("loss") - r_ref.at("loss")) < 1e-6);
    BOOST_TEST(r.at("accuracy") == r_ref.at("accuracy"));
}

namespace {

// Keeps every value that reaches it in training; the identity.
struct Keep : xgrad::nn::Module {
    std::vector<Array> seen;
    xgrad::Tensor forward(const xgrad::Tensor& x) override {
        if (is_training()) seen.push_back(x.value());
        return x;
    }
    std::string type_name() const override { return "Keep"; }
};

}  // namespace

BOOST_AUTO_TEST_CASE(dropout_draws_a_mask_of_its_own_on_every_rank) {
    const Data d;
    xgrad::manual_seed(21);  // both ranks alike, as one program started twice is
    auto keep = std::make_shared<Keep>();
    xgrad::nn::Sequential net;
    net.add(xgrad::nn::Dense(16, "sigmoid", 6));  // never exactly 0: a 0 after dropout is a dropped unit
    net.add(xgrad::nn::Dropout(0.5f));
    net.add(keep);
    net.add(xgrad::nn::Dense(3, "softmax"));
    net.compile(xgrad::optim::SGD(), "categorical_crossentropy");
    net.build({6});  // the last layer's weights drawn now, not inside fit
    std::mt19937_64 expected = xgrad::generator();
    expected.discard(1);
    // batch 10: the first global batch gives each rank 5 rows.
    net.fit(d.x, d.y, {.epochs = 1, .batch_size = 10, .verbose = 0});
    BOOST_TEST_REQUIRE(keep->seen.size() == 5u);
    BOOST_TEST_REQUIRE(keep->seen[0].shape()[0] == 5u);
    const Array dropped = xt::cast<float>(xt::equal(keep->seen[0], 0.f));
    BOOST_TEST(xt::sum(dropped)() > 10.f);  // dropout ran (about 40 of 80 units)
    // Independent masks on the two shares, as one process draws for the whole batch; the
    // same mask on both (80 units) would happen with probability 2^-80.
    BOOST_TEST(!same_bits_everywhere(dropped));
    // After fit, every rank is back on one stream: where fit began, one draw (the shuffling
    // seed) further.
    BOOST_TEST(expected() == xgrad::generator()());
}

BOOST_AUTO_TEST_CASE(moving_statistics_are_averaged_over_the_ranks) {
    const Data d;
    xgrad::manual_seed(23);
    xgrad::nn::Sequential net;
    net.add(xgrad::nn::Dense(5, "linear", 6));
    net.add(xgrad::nn::BatchNormalization());
    net.add(xgrad::nn::Dense(3, "softmax"));
    net.compile(xgrad::optim::RMSprop(), "categorical_crossentropy", {"accuracy"});
    // batch 10: the shares (5 and 5 samples, different rows) give each rank other batch statistics.
    net.fit(d.x, d.y, {.epochs = 2, .batch_size = 10, .shuffle = false, .verbose = 0});
    for (auto& [name, p] : net.named_parameters()) BOOST_TEST(same_bits_everywhere(p.value()), name);
    // They moved from their start (zeros and ones), so the check above compares real updates.
    auto params = net.named_parameters();
    const auto& moving_mean = std::find_if(params.begin(), params.end(), [](const auto& p) {
        return p.first.find("moving_mean") != std::string::npos;
    })->second;
    BOOST_TEST(xt::amax(xt::abs(moving_mean.value()))() > 1e-3f);
    // No gradient trains them, on several processes as on one: the optimizer keeps no slot
    // for them (it did, from the zeros the reduction used to give them).
    for (const auto& [slot, v] : net.optimizer().state()) BOOST_TEST(slot.find("moving_") == std::string::npos, slot);
    // So the processes evaluate their shares with one model: the same figures as one process.
    auto single = std::make_shared<xgrad::train::Distribution>();
    const auto r = net.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0});
    const auto r_ref = net.evaluate(d.x, d.y, {.batch_size = 8, .verbose = 0, .distribution = single});
    BOOST_TEST(std::abs(r.at("loss") - r_ref.at("loss")) < 1e-6, r.at("loss") << " vs " << r_ref.at("loss"));
}

BOOST_AUTO_TEST_CASE(a_stop_on_one_rank_stops_every_rank) {
    const Data d;
    auto net = classifier(3, xgrad::optim::RMSprop());
    auto stopper = std::make_shared<xgrad::train::LambdaCallback>();
    stopper->batch_end = [&](int batch, const xgrad::train::Logs&) {
        if (xd::rank() == 1 && batch == 2) net->stop_training("rank 1 had enough");
    };
    auto h = net->fit(d.x, d.y, {.epochs = 4, .batch_size = 5, .verbose = 0, .callbacks = {stopper}});
    BOOST_TEST(h.epochs == 1u);
    BOOST_TEST(h.stop_reason == (xd::rank() == 1 ? "rank 1 had enough" : "training stopped by another process"));
    for (auto& [name, p] : net->named_parameters()) BOOST_TEST(same_bits_everywhere(p.value()), name);
}

BOOST_AUTO_TEST_CASE(save_writes_on_rank_0_and_load_reads_everywhere) {
    const Data d;
    auto net = classifier(11, xgrad::optim::RMSprop());
    net->fit(d.x, d.y, {.epochs = 1, .batch_size = 9, .verbose = 0});
    const std::string mine = temp_name("rank" + std::to_string(xd::rank()) + ".xgw");
    net->save_weights(mine);  // every rank calls it; only rank 0 writes
    xd::barrier();
    BOOST_TEST(std::filesystem::exists(mine) == xd::is_chief());
    const std::string shared = temp_name("rank0.xgw");
    auto other = classifier(12 + std::uint64_t(xd::rank()), xgrad::optim::RMSprop());
    other->load_weights(shared);
    auto a = net->named_parameters(), b = other->named_parameters();
    for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST((a[i].second.value() == b[i].second.value()), a[i].first);
    xd::barrier();
    if (xd::is_chief()) std::filesystem::remove(shared);
}

BOOST_AUTO_TEST_CASE(bucket_options_and_the_report) {
    const Data d;
    xgrad::dist::DataParallelOptions opts{.bucket_bytes = 64, .overlap = false, .report = true};
    auto dp = std::make_shared<xgrad::dist::DataParallel>(opts);
    auto net = classifier(5, xgrad::optim::RMSprop());
    std::ostringstream captured;
    std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
    net->fit(d.x, d.y, {.epochs = 1, .batch_size = 9, .verbose = 0, .distribution = dp});
    std::cout.rdbuf(old);
    const auto s = dp->stats();
    BOOST_TEST(s.steps == 5u);
    BOOST_TEST(s.buckets == 4u);  // 64 bytes: one parameter per bucket
    BOOST_TEST(s.floats == std::size_t(6 * 12 + 12 + 12 * 3 + 3));
    BOOST_TEST(s.comm_seconds <= s.step_seconds);
    if (xd::is_chief()) {
        BOOST_TEST(captured.str().find("data-parallel: 2 processes, 5 steps, 0.00 MB per step in 4 allreduce(s) (bucket 64 bytes, overlap off)") == 0,
                   captured.str());
    } else {
        BOOST_TEST(captured.str().empty());
    }
    for (auto& [name, p] : net->named_parameters()) BOOST_TEST(same_bits_everywhere(p.value()), name);
}

BOOST_AUTO_TEST_CASE(a_model_that_differs_across_ranks_is_one_error_everywhere) {
    xgrad::manual_seed(1);
    xgrad::nn::Sequential net;
    net.add(xgrad::nn::Dense(4 + std::size_t(xd::rank()), "relu", 6));  // (6, 4) on rank 0, (6, 5) on rank 1
    net.add(xgrad::nn::Dense(3, "softmax"));
    net.compile("rmsprop", "categorical_crossentropy");
    const Data d;
    BOOST_CHECK_EXCEPTION(net.fit(d.x, d.y, {.verbose = 0}), xgrad::ShapeError,
                          has_message{"the tensor's shape differs across ranks (rank 0 (6, 4), rank 1 (6, 5))"});
}

BOOST_AUTO_TEST_SUITE_END()
