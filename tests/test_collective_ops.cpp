// Collective ops in one process: all_sum and synchronized batch_norm without a group (the
// identity and the ordinary op), and through Mirror, an in-process group that stands for k
// processes holding the same values. Across real processes: tests/test_dist_sync.cpp.
#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;
using xgrad::test::mixed;
using V = std::vector<Tensor>;

namespace {

Tensor p(const Shape& s, float lo = -1.5f, float hi = 1.7f) { return parameter(mixed(s, lo, hi)); }

// k processes that all hold this process's values: the sum over them is k times the values.
// A job of identical processes gives the gradient of one process's loss with respect to its
// own values (the k copies of the loss, each 1/k of the way), so gradcheck, which perturbs
// every copy at once, sees exactly what backward must compute.
class Mirror : public ProcessGroup {
public:
    explicit Mirror(int k) : k_(k) {}
    int size() const override { return k_; }
    void all_sum(std::span<float> values, const Shape& shape, const std::string& who) override {
        calls.push_back(who + " " + shape_str(shape));
        for (float& v : values) v *= float(k_);
    }
    std::vector<std::string> calls;

private:
    int k_;
};

Tensor bn(const Tensor& x, const Tensor& gamma, const Tensor& beta, bool synchronized) {
    Tensor mm = zeros({x.shape().back()});
    Tensor mv = ones({x.shape().back()});
    return batch_norm(x, gamma, beta, mm, mv, true, {.synchronized = synchronized});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(collective_ops)

BOOST_AUTO_TEST_CASE(all_sum_without_a_group_is_the_identity) {
    BOOST_TEST(!current_process_group());
    BOOST_TEST(contributes_to_collectives());
    Tensor x = p({2, 3});
    BOOST_TEST((all_sum(x).value() == x.value()));
    XGRAD_CHECK_GRAD([](const V& v) { return all_sum(v[0]) * v[0]; }, p({2, 3}));
    // A group of one is no group either.
    ProcessGroupScope one(std::make_shared<Mirror>(1));
    BOOST_TEST((all_sum(x).value() == x.value()));
    BOOST_CHECK_EXCEPTION(all_sum(Tensor()), GraphError, has_message{"all_sum: undefined tensor"});
}

BOOST_AUTO_TEST_CASE(all_sum_through_a_group_and_back) {
    auto mirror = std::make_shared<Mirror>(3);
    {
        ProcessGroupScope scope(mirror);
        BOOST_TEST(current_process_group() == mirror);
        Tensor x = p({2, 3});
        Tensor s = all_sum(x);
        BOOST_TEST(s.op() == "all_sum");
        BOOST_TEST(xt::allclose(s.value(), 3.f * x.value()));
        // The backward is itself an all_sum, recorded: first and second derivatives check.
        XGRAD_CHECK_GRAD([](const V& v) { return tanh(all_sum(v[0] * v[0])) * v[0]; }, p({2, 3}));
        XGRAD_CHECK_GRAD(
            [](const V& v) {
                Tensor dx = grad({sum(tanh(all_sum(v[0])))}, {v[0]}, {.create_graph = true})[0];
                return sum(square(dx) * v[0]);
            },
            p({3}));
        mirror->calls.clear();
        {
            NameScope layer("layer_1");
            sum(all_sum(x)).backward();
        }
        BOOST_TEST(mirror->calls.size() == 2u);  // forward, then backward: collectives both ways
        BOOST_TEST(mirror->calls.at(0) == "all_sum in 'layer_1' (2x3)");
        BOOST_TEST(mirror->calls.at(1) == "all_sum in 'layer_1' (backward) (2x3)");
        BOOST_TEST(xt::allclose(x.grad().value(), Array(x.shape(), 3.f)));
    }
    BOOST_TEST(!current_process_group());  // the scope restored the previous state
}

BOOST_AUTO_TEST_CASE(a_stand_in_adds_zeros_and_takes_no_gradient) {
    auto mirror = std::make_shared<Mirror>(2);
    ProcessGroupScope scope(mirror);
    Tensor x = p({4});
    {
        ProcessGroupScope stand_in(mirror, false);
        BOOST_TEST(!contributes_to_collectives());
        Tensor s = all_sum(x);
        BOOST_TEST((s.value() == Array(Array::shape_type{4}, 0.f)));
        sum(s * x).backward();
        BOOST_TEST(mirror->calls.size() == 2u);  // it still took part both ways
        // Its own values entered s as zeros, so only the direct path reaches x: dx = s = 0.
        BOOST_TEST((x.grad().value() == Array(Array::shape_type{4}, 0.f)));
        // Unsynchronized, its batch statistics are its stand-in sample's: the moving ones stay.
        Tensor mm = zeros({2}), mv = ones({2});
        batch_norm(p({3, 2}), ones({2}), zeros({2}), mm, mv, true);
        BOOST_TEST((mm.value() == Array{0.f, 0.f}));
        BOOST_TEST((mv.value() == Array{1.f, 1.f}));
        // Synchronized with no process contributing: nothing to normalise over.
        BOOST_CHECK_EXCEPTION(batch_norm(p({3, 2}), ones({2}), zeros({2}), mm, mv, true, {.synchronized = true}),
                              ValueError, has_message{"batch_norm (synchronized): input (3x2): no process has samples"});
    }
    BOOST_TEST(contributes_to_collectives());
}

BOOST_AUTO_TEST_CASE(synchronized_batch_norm_without_a_group_is_the_ordinary_op) {
    Tensor x = p({5, 3}), gamma = p({3}, 0.5f, 1.5f), beta = p({3});
    Tensor mm1 = zeros({3}), mv1 = ones({3}), mm2 = zeros({3}), mv2 = ones({3});
    Tensor a = batch_norm(x, gamma, beta, mm1, mv1, true);
    Tensor b = batch_norm(x, gamma, beta, mm2, mv2, true, {.synchronized = true});
    BOOST_TEST((a.value() == b.value()));  // bit for bit: the same ops
    BOOST_TEST((mm1.value() == mm2.value()));
    BOOST_TEST((mv1.value() == mv2.value()));
}

BOOST_AUTO_TEST_CASE(synchronized_batch_norm_over_identical_processes) {
    // k copies of a batch have that batch's mean and variance: the values, the moving
    // statistics and (see Mirror) the gradients are the ordinary op's.
    auto mirror = std::make_shared<Mirror>(3);
    ProcessGroupScope scope(mirror);
    Tensor x = p({4, 2, 3}), gamma = p({3}, 0.5f, 1.5f), beta = p({3});
    Tensor mm1 = zeros({3}), mv1 = ones({3}), mm2 = zeros({3}), mv2 = ones({3});
    const Tensor weights = constant(mixed({4, 2, 3}, -1.f, 2.f));
    Tensor a = batch_norm(x, gamma, beta, mm1, mv1, true);
    sum(a * weights).backward();
    const Array ordinary_dx = x.grad().value(), ordinary_dgamma = gamma.grad().value();
    x.zero_grad();
    gamma.zero_grad();
    mirror->calls.clear();
    Tensor b = batch_norm(x, gamma, beta, mm2, mv2, true, {.synchronized = true});
    BOOST_TEST(mirror->calls.size() == 2u);  // the sums with the row count, the squared deviations
    BOOST_TEST(xt::allclose(a.value(), b.value(), 1e-5, 1e-6));
    BOOST_TEST(xt::allclose(mm1.value(), mm2.value(), 1e-5, 1e-7));
    BOOST_TEST(xt::allclose(mv1.value(), mv2.value(), 1e-5, 1e-7));
    sum(b * weights).backward();
    BOOST_TEST(mirror->calls.size() == 4u);
    BOOST_TEST(xt::allclose(x.grad().value(), ordinary_dx, 1e-4, 1e-5));
    BOOST_TEST(xt::allclose(gamma.grad().value(), ordinary_dgamma, 1e-4, 1e-5));
    XGRAD_CHECK_GRAD([](const V& v) { return bn(v[0], v[1], v[2], true); }, p({3, 2, 2, 3}), p({3}, 0.5f, 1.5f), p({3}));
}

BOOST_AUTO_TEST_SUITE_END()
