// all_sum and BatchNormalization(synchronized) across 2 MPI processes (suite dist_sync, run by
// tests/dist.cmake under `mpirun -np 2`). The global batch of 7 rows is split as
// DataParallel splits it: 3 rows on rank 0, 4 on rank 1, so the ranks' loss weights differ.
#include "helpers.hpp"

#include <xgrad/dist/data_parallel.hpp>
#include <xgrad/dist/dist.hpp>
#include "dist/grad_buckets.hpp"
#include "dist/mpi_state.hpp"
#include <xgrad/xgrad.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <string>

namespace {

// MPI's profiling interface: while `recording`, this executable's MPI_Allreduce and
// MPI_Iallreduce note each call's communicator and count before calling MPI's own (PMPI_).
// The library is linked statically, so its calls come here too.
struct MpiCall {
    MPI_Comm comm;
    bool blocking;
    int count;
};
bool recording = false;
std::vector<MpiCall> calls;

}  // namespace

extern "C" int MPI_Allreduce(const void* send, void* recv, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
    if (recording) calls.push_back({comm, true, count});
    return PMPI_Allreduce(send, recv, count, type, op, comm);
}

extern "C" int MPI_Iallreduce(const void* send, void* recv, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                              MPI_Request* request) {
    if (recording) calls.push_back({comm, false, count});
    return PMPI_Iallreduce(send, recv, count, type, op, comm, request);
}

namespace xd = xgrad::dist;
using xgrad::Array;
using xgrad::Tensor;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {

// This rank's rows of the global batch of 7, and its weight n_r / N.
std::size_t share_begin() { return xd::rank() == 0 ? 0 : 3; }
std::size_t share_end() { return xd::rank() == 0 ? 3 : 7; }
float share_weight() { return float(share_end() - share_begin()) / 7.f; }
Array rows(const Array& a, std::size_t begin, std::size_t end) {
    return xgrad::slice_rows(xgrad::constant(a), begin, end).value();
}

// True on every rank when `a` is bit for bit rank 0's `a`.
bool same_bits_everywhere(const Array& a) {
    Tensor root = xgrad::constant(a);
    xd::broadcast(root, 0);
    double differs = std::memcmp(root.value().data(), a.data(), a.size() * sizeof(float)) != 0 ? 1.0 : 0.0;
    xd::allreduce(std::span<double>(&differs, 1), xd::ReduceOp::Max);
    return differs == 0.0;
}

// True on every rank when `text` is rank 0's `text`.
bool same_text_everywhere(const std::string& text) {
    double sizes[2] = {double(text.size()), -double(text.size())};
    xd::allreduce(std::span<double>(sizes, 2), xd::ReduceOp::Max);
    if (sizes[0] != -sizes[1]) return false;  // every rank sees it: the lengths differ
    std::vector<float> mine(text.begin(), text.end()), root = mine;
    xd::broadcast(std::span<float>(root), 0);
    double differs = mine == root ? 0.0 : 1.0;
    xd::allreduce(std::span<double>(&differs, 1), xd::ReduceOp::Max);
    return differs == 0.0;
}

// Reduces the gradients of `params` as DataParallel does in fit: this rank's backward of
// `loss` seeded with its weight, buckets of one parameter each (they start during backward
// with overlap), the plain sum over the ranks.
void reduce_like_fit(const std::vector<Tensor>& params, const Tensor& loss, float weight, bool overlap) {
    for (Tensor p : params) p.zero_grad();
    xd::detail::GradBuckets buckets(params, 4, overlap, xd::detail::comm("test"));
    buckets.begin(weight, MPI_Wtime());
    buckets.backward(loss);
    buckets.finish();
}

Tensor param(const Array& a) { return xgrad::parameter(a); }

}  // namespace

BOOST_AUTO_TEST_SUITE(dist_sync)

// Finite differences of the job's loss L = Σ_r w_r L_r, where L_r goes through all_sum, against
// the reduced gradient of a parameter every rank shares. Every rank perturbs the same element
// at the same time (the parameter is shared), and L is summed over the ranks.
BOOST_AUTO_TEST_CASE(all_sum_gradient_across_ranks_matches_finite_differences) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    xgrad::ProcessGroupScope scope(xd::process_group());
    const Array data = rows(mixed({7, 3}, -1.5f, 1.5f), share_begin(), share_end());
    const Tensor d = xgrad::constant(data);
    auto loss = [&](const Tensor& theta) {
        const Tensor s = xgrad::all_sum(xgrad::sum(d * theta, {0}));  // (3): Σ over all 7 rows
        return xgrad::mean(xgrad::square(d * theta - xgrad::tanh(s)));
    };
    Tensor theta = param(Array{0.4f, -0.7f, 0.9f});
    reduce_like_fit({theta}, loss(theta), share_weight(), false);
    const Array analytic = theta.grad().value();
    BOOST_TEST(same_bits_everywhere(analytic));
    const float h = 1e-2f;
    for (std::size_t i = 0; i < 3; ++i) {
        double l[2];
        for (int side = 0; side < 2; ++side) {
            xgrad::NoGradGuard no_grad;
            Array moved = theta.value();
            moved(i) += side ? -h : h;
            double weighted = double(share_weight()) * double(loss(xgrad::constant(moved)).item());
            xd::allreduce(std::span<double>(&weighted, 1));
            l[side] = weighted;
        }
        const double numeric = (l[0] - l[1]) / (2.0 * h);
        BOOST_TEST(std::abs(analytic(i) - numeric) < 1e-3 + 1e-2 * std::abs(numeric),
                   "element " << i << ": analytic " << analytic(i) << ", numeric " << numeric);
    }
}

// The op on each rank's share, with the gradients reduced as in fit, against one process
// running the ordinary op on the whole batch; also when rank 0 only stands in (its share
// empty, the whole batch on rank 1).
BOOST_AUTO_TEST_CASE(synchronized_batch_norm_is_the_whole_batch_op) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    Array x_all = mixed({7, 3}, -2.f, 3.f);
    x_all = x_all + Array{4.f, -1.f, 0.5f};  // means far from 0: the variance's two passes matter
    const Array r_all = mixed({7, 3}, -1.f, 1.f);
    const Array gamma0{1.2f, 0.7f, -0.4f}, beta0{0.1f, -0.3f, 0.2f};

    // One process, the whole batch.
    Tensor x = param(x_all), gamma = param(gamma0), beta = param(beta0);
    Tensor mm = xgrad::zeros({3}), mv = xgrad::ones({3});
    const Tensor y = xgrad::batch_norm(x, gamma, beta, mm, mv, true);
    xgrad::mean(y * xgrad::constant(r_all)).backward();

    for (bool stand_in : {false, true}) {
        BOOST_TEST_CONTEXT("rank 0 stands in: " << stand_in) {
            const bool mine = !(stand_in && xd::rank() == 0);  // rows of this rank count
            const std::size_t b = stand_in ? 0 : share_begin();
            const std::size_t e = stand_in ? (xd::rank() == 0 ? 1 : 7) : share_end();
            const float weight = stand_in ? (mine ? 1.f : 0.f) : share_weight();
            xgrad::ProcessGroupScope scope(xd::process_group());
            xgrad::ProcessGroupScope standing(xd::process_group(), mine);
            Tensor xr = param(rows(x_all, b, e)), g = param(gamma0), bt = param(beta0);
            Tensor mmr = xgrad::zeros({3}), mvr = xgrad::ones({3});
            const Tensor yr = xgrad::batch_norm(xr, g, bt, mmr, mvr, true, {.synchronized = true});
            if (mine) BOOST_TEST(xt::allclose(yr.value(), rows(y.value(), b, e), 1e-5, 1e-6));
            // Every rank, the stand-in too, holds the whole batch's moving statistics.
            BOOST_TEST(xt::allclose(mmr.value(), mm.value(), 1e-5, 1e-7));
            BOOST_TEST(xt::allclose(mvr.value(), mv.value(), 1e-5, 1e-7));
            const Tensor loss = xgrad::mean(yr * xgrad::constant(rows(r_all, b, e)));
            reduce_like_fit({g, bt}, loss, weight, true);
            BOOST_TEST(xt::allclose(g.grad().value(), gamma.grad().value(), 1e-5, 1e-6),
                       "dgamma " << g.grad().value() << " vs " << gamma.grad().value());
            BOOST_TEST(xt::allclose(bt.grad().value(), beta.grad().value(), 1e-5, 1e-6));
            // Each rank's own rows get the whole batch's gradient (the seed carried the weight).
            if (mine) {
                BOOST_TEST(xt::allclose(xr.grad().value(), rows(x.grad().value(), b, e), 1e-4, 1e-6),
                           "dx " << xr.grad().value() << " vs " << rows(x.grad().value(), b, e));
            }
        }
    }
    // Unsynchronized, each share is normalised by its own statistics: not the whole batch's.
    Tensor mmu = xgrad::zeros({3}), mvu = xgrad::ones({3});
    const Tensor yu = xgrad::batch_norm(param(rows(x_all, share_begin(), share_end())), param(gamma0), param(beta0),
                                        mmu, mvu, true);
    BOOST_TEST(!xt::allclose(yu.value(), rows(y.value(), share_begin(), share_end()), 1e-2, 1e-3));
}

// With overlap, a gradient bucket's non-blocking allreduce may start during backward before
// all_sum's blocking one on one rank and after it on the other: here parameter `a` is used
// before the all_sum only on rank 1, so its bucket is ready early on rank 0 alone. MPI requires
// every rank to make the same collective calls in the same order on each communicator (blocking
// and non-blocking alike), which all_sum's communicator of its own keeps: checked on the calls
// themselves (OpenMPI happens to pair the two kinds apart, so the gradients alone could not
// tell), and on the gradients.
BOOST_AUTO_TEST_CASE(bucket_and_all_sum_collectives_in_different_orders) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    const Array data = mixed({7, 3}, -1.5f, 1.5f);
    const Array theta0{0.4f, -0.7f, 0.9f}, a0{1.1f, 0.6f, -0.8f};
    // The rank-r loss, given a summing function for the collective.
    auto loss_of = [&](int r, const Tensor& theta, const Tensor& a, const auto& summed) {
        const Tensor d = xgrad::constant(rows(data, r == 0 ? 0 : 3, r == 0 ? 3 : 7));
        const Tensor inner = r == 0 ? d * theta : d * theta * a;
        const Tensor s = summed(xgrad::sum(inner, {0}));
        return xgrad::mean(xgrad::square(xgrad::tanh(s) * a + d));
    };
    // One process computes both ranks' losses, with the sum written out.
    Tensor theta = param(theta0), a = param(a0);
    const Tensor s_all = xgrad::sum(xgrad::constant(rows(data, 0, 3)) * theta, {0}) +
                         xgrad::sum(xgrad::constant(rows(data, 3, 7)) * theta * a, {0});
    const auto written_out = [&](const Tensor&) { return s_all; };
    const Tensor reference = loss_of(0, theta, a, written_out) * (3.f / 7.f) + loss_of(1, theta, a, written_out) * (4.f / 7.f);
    reference.backward();
    for (bool overlap : {false, true}) {
        BOOST_TEST_CONTEXT("overlap " << overlap) {
            xgrad::ProcessGroupScope scope(xd::process_group());
            Tensor t = param(theta0), ar = param(a0);
            calls.clear();
            recording = true;
            const Tensor loss = loss_of(xd::rank(), t, ar, [](const Tensor& part) { return xgrad::all_sum(part); });
            reduce_like_fit({t, ar}, loss, share_weight(), overlap);
            recording = false;
            BOOST_TEST(xt::allclose(t.grad().value(), theta.grad().value(), 1e-5, 1e-6));
            BOOST_TEST(xt::allclose(ar.grad().value(), a.grad().value(), 1e-5, 1e-6));
            // Each communicator's calls, and all of them in time order, as text:
            // "b" blocking, "n" non-blocking, then the count.
            std::map<MPI_Comm, std::string> per_comm;
            std::string in_time;
            for (const MpiCall& c : calls) {
                std::string call(c.blocking ? "b" : "n");
                call += std::to_string(c.count);
                call += ' ';
                per_comm[c.comm] += call;
                in_time += call;
            }
            BOOST_TEST(per_comm.size() == 2u);  // the gradients' communicator and all_sum's
            for (const auto& [comm, sequence] : per_comm) {
                BOOST_TEST(same_text_everywhere(sequence), "rank " << xd::rank() << ": " << sequence);
            }
            // The scenario: with overlap the ranks interleave the two kinds differently.
            BOOST_TEST(same_text_everywhere(in_time) == !overlap, "rank " << xd::rank() << ": " << in_time);
        }
    }
}

namespace {

// 15 samples of 6 features, 3 classes: with batch 7, the global batches are 7, 7 and 1, so the
// shares are 3 + 4, 3 + 4 and 0 + 1 (rank 0 stands in for the last step).
struct Data {
    Array x = mixed({15, 6}, -2.f, 2.f) + Array{1.5f, -0.5f, 0.f, 2.f, -1.f, 0.3f};
    Array y;
    Data() {
        Array labels(Array::shape_type{15});
        for (std::size_t i = 0; i < 15; ++i) labels(i) = float((i * 5 + i / 4) % 3);
        y = xgrad::data::to_categorical(labels, 3);
    }
};

std::unique_ptr<xgrad::nn::Sequential> bn_model(bool synchronized) {
    xgrad::manual_seed(31);
    auto net = std::make_unique<xgrad::nn::Sequential>();
    net->add(xgrad::nn::Dense(5, "linear", 6));
    net->add(xgrad::nn::BatchNormalization({.momentum = 0.8f, .synchronized = synchronized}));
    net->add(xgrad::nn::Dense(3, "softmax"));
    net->compile(xgrad::optim::SGD({.learning_rate = 0.2f}), "categorical_crossentropy");
    return net;
}

}  // namespace

BOOST_AUTO_TEST_CASE(fit_with_synchronized_batch_norm_matches_one_process) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    const Data d;
    auto single = std::make_shared<xgrad::train::Distribution>();
    for (bool synchronized : {true, false}) {
        // The reference: one process on the whole global batches (synchronized is then the
        // ordinary op), from the same start with the same shuffling.
        auto ref = bn_model(synchronized);
        const auto h_ref = ref->fit(d.x, d.y, {.epochs = 2, .batch_size = 7, .verbose = 0, .distribution = single});
        const auto p_ref = ref->named_parameters();
        for (bool overlap : {false, true}) {
            BOOST_TEST_CONTEXT("synchronized " << synchronized << ", overlap " << overlap) {
                auto net = bn_model(synchronized);
                auto dp = std::make_shared<xd::DataParallel>(xd::DataParallelOptions{.bucket_bytes = 16, .overlap = overlap});
                // After every step, before any epoch-end averaging: do the ranks' moving
                // statistics agree (collective, so every rank checks)?
                auto& bn = dynamic_cast<xgrad::nn::BatchNormalization&>(*net->layers().at(1));
                int agreeing = 0, steps = 0;
                auto check = std::make_shared<xgrad::train::LambdaCallback>();
                check->batch_end = [&](int, const xgrad::train::Logs&) {
                    ++steps;
                    if (same_bits_everywhere(bn.moving_mean().value()) && same_bits_everywhere(bn.moving_variance().value())) ++agreeing;
                };
                const auto h = net->fit(d.x, d.y, {.epochs = 2, .batch_size = 7, .verbose = 0, .callbacks = {check}, .distribution = dp});
                BOOST_TEST(steps == 6);
                const auto p = net->named_parameters();
                double worst = 0;
                for (std::size_t i = 0; i < p.size(); ++i) {
                    const Array diff = xt::abs(p[i].second.value() - p_ref[i].second.value());
                    worst = std::max(worst, double(xt::amax(diff)()));
                    if (synchronized) {
                        BOOST_TEST(xt::allclose(p[i].second.value(), p_ref[i].second.value(), 1e-5, 1e-6),
                                   p[i].first << "\n" << p[i].second.value() << "\nvs one process\n" << p_ref[i].second.value());
                    }
                }
                if (synchronized) {
                    BOOST_TEST(agreeing == steps);  // equal without averaging, also after the stand-in step
                    for (std::size_t e = 0; e < 2; ++e) BOOST_TEST(std::abs(h["loss"][e] - h_ref["loss"][e]) < 1e-5);
                } else {
                    BOOST_TEST(worst > 1e-3, "unsynchronized differs from one process by " << worst);  // the test can tell
                    BOOST_TEST(agreeing < steps);  // each rank's own shares' statistics, until averaged
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(shapes_that_differ_across_ranks_are_one_error_everywhere) {
    BOOST_TEST_REQUIRE(xd::size() == 2);
    xgrad::ProcessGroupScope scope(xd::process_group());
    // Rank 0 passes (2, 3), rank 1 (3, 2): the same element count, so only the check sees it.
    const Tensor t = xgrad::constant(xd::rank() == 0 ? Array(Array::shape_type{2, 3}) : Array(Array::shape_type{3, 2}));
    BOOST_CHECK_EXCEPTION(xgrad::all_sum(t), xgrad::ShapeError,
                          has_message{"dist::all_sum: the tensor's shape differs across ranks (rank 0 (2, 3), rank 1 (3, 2)); "
                                      "every rank must pass the same shape"});
    // A synchronized layer fed other channel counts on the two ranks (a loop of the user's own;
    // fit finds differing models before): the error names the layer. Its first all_sum holds
    // the channels' sums and the row count.
    xgrad::nn::BatchNormalization bn({.synchronized = true});
    bn.set_name("bn_sync");
    const Tensor x = xgrad::constant(mixed({4, 2 + std::size_t(xd::rank())}, -1.f, 1.f));
    BOOST_CHECK_EXCEPTION(bn(x), xgrad::ShapeError,
                          has_message{"dist::all_sum in 'bn_sync': the tensor's shape differs across ranks (rank 0 (3,), rank 1 (4,))"});
    // The job goes on.
    BOOST_TEST((xgrad::all_sum(xgrad::constant(Array{1.f, 2.f})).value() == Array{2.f, 4.f}));
}

BOOST_AUTO_TEST_SUITE_END()
