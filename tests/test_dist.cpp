// xgrad::dist. dist_single runs as one process without a launcher; the other suites run under
// `mpirun -np 2` (tests/dist.cmake) and check every rank's side of each collective.
#include "helpers.hpp"

#include <xgrad/dist/dist.hpp>
#include "dist/grad_buckets.hpp"
#include "dist/mpi_state.hpp"
#include <xgrad/xgrad.hpp>

#include <boost/test/unit_test.hpp>

#include <cstring>

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
            buckets.begin(float(end - begin) / 10.f);
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
    buckets.begin(xd::rank() == 0 ? 1.f : 0.f);
    buckets.backward(xd::rank() == 0 ? xgrad::sum(w * w) : xgrad::Tensor());
    buckets.finish();
    BOOST_TEST((w.grad().value() == 2.f * w.value()));
}

BOOST_AUTO_TEST_SUITE_END()
