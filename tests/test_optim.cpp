// Optimizers: single steps against hand-computed numbers, state by name, errors.
#include <cmath>

#include "helpers.hpp"
#include <xgrad/nn.hpp>

using namespace xgrad;
using xgrad::test::has_message;

namespace {
// Sets dL/dw = 2w (L = sum(w^2)) and takes one optimizer step.
void step_on_square(optim::Optimizer& opt, Tensor& w) {
    opt.zero_grad();
    sum(square(w)).backward();
    opt.step();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(nn_optim)

BOOST_AUTO_TEST_CASE(rmsprop_first_three_steps_on_w_squared) {
    Tensor w = parameter(Array{1.f}, "w");
    optim::RMSprop opt;  // lr 1e-3, rho 0.9, eps 1e-7 (Keras defaults)
    opt.attach({{"w", w}});
    float we = 1.f, v = 0.f;
    for (int t = 1; t <= 3; ++t) {
        step_on_square(opt, w);
        const float g = 2.f * we;
        v = 0.9f * v + 0.1f * g * g;
        we = we - 1e-3f * g / (std::sqrt(v) + 1e-7f);
        BOOST_TEST(w.value()(0) == we, boost::test_tools::tolerance(1e-7f));
        BOOST_TEST(opt.iterations() == t);
    }
    // Step 1 by hand: v = 0.1*4 = 0.4, w = 1 - 1e-3*2/sqrt(0.4) = 0.99683772.
    BOOST_TEST(opt.state().at("w/rms")(0) > 0.f);
    Tensor w1 = parameter(Array{1.f});
    optim::RMSprop one;
    one.attach({{"w", w1}});
    step_on_square(one, w1);
    BOOST_TEST(w1.value()(0) == 0.99683772f, boost::test_tools::tolerance(1e-7f));
}

BOOST_AUTO_TEST_CASE(rmsprop_variants_single_step) {
    // g = 2 at w = 1; v = 0.4.
    Tensor a = parameter(Array{1.f});
    optim::RMSprop inside({.learning_rate = 0.01f, .epsilon = 0.1f, .eps_inside_sqrt = true});
    inside.attach({{"a", a}});
    step_on_square(inside, a);
    BOOST_TEST(a.value()(0) == 1.f - 0.01f * 2.f / std::sqrt(0.4f + 0.1f), boost::test_tools::tolerance(1e-6f));

    Tensor b = parameter(Array{1.f});
    optim::RMSprop centered({.learning_rate = 0.01f, .centered = true});
    centered.attach({{"b", b}});
    step_on_square(centered, b);
    // mg = 0.2, d = 0.4 - 0.04 = 0.36, step = 0.01*2/0.6.
    BOOST_TEST(b.value()(0) == 1.f - 0.02f / 0.6f, boost::test_tools::tolerance(1e-6f));

    Tensor c = parameter(Array{1.f});
    optim::RMSprop mom({.learning_rate = 0.01f, .momentum = 0.5f});
    mom.attach({{"c", c}});
    step_on_square(mom, c);
    const float s1 = 0.01f * 2.f / std::sqrt(0.4f);
    BOOST_TEST(c.value()(0) == 1.f - s1, boost::test_tools::tolerance(1e-6f));
    step_on_square(mom, c);
    const float g2 = 2.f * (1.f - s1), v2 = 0.9f * 0.4f + 0.1f * g2 * g2;
    const float m2 = 0.5f * s1 + 0.01f * g2 / std::sqrt(v2);
    BOOST_TEST(c.value()(0) == 1.f - s1 - m2, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(sgd_plain_momentum_nesterov) {
    Tensor w = parameter(Array{1.f, -2.f});
    optim::SGD plain({.learning_rate = 0.1f});
    plain.attach({{"w", w}});
    step_on_square(plain, w);  // w -= 0.1 * 2w
    BOOST_TEST(w.value() == Array({0.8f, -1.6f}));
    BOOST_TEST(plain.state().size() == 1u);  // only "iterations": no slots without momentum

    Tensor m = parameter(Array{1.f});
    optim::SGD mom({.learning_rate = 0.1f, .momentum = 0.9f});
    mom.attach({{"m", m}});
    step_on_square(mom, m);  // u = -0.2, w = 0.8
    step_on_square(mom, m);  // u = 0.9*-0.2 - 0.1*1.6 = -0.34, w = 0.46
    BOOST_TEST(m.value()(0) == 0.46f, boost::test_tools::tolerance(1e-6f));

    Tensor n = parameter(Array{1.f});
    optim::SGD nest({.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true});
    nest.attach({{"n", n}});
    step_on_square(nest, n);  // u = -0.2, w += 0.9*-0.2 - 0.2 = -0.38 -> 0.62
    BOOST_TEST(n.value()(0) == 0.62f, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(adam_two_steps) {
    Tensor w = parameter(Array{1.f});
    optim::Adam adam({.learning_rate = 0.1f});
    adam.attach({{"w", w}});
    double we = 1, m = 0, v = 0;
    for (int t = 1; t <= 2; ++t) {
        step_on_square(adam, w);
        const double g = 2 * we;
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        const double lr_t = 0.1 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
        we -= lr_t * m / (std::sqrt(v) + 1e-7);
        BOOST_TEST(w.value()(0) == we, boost::test_tools::tolerance(1e-5));
    }
    BOOST_TEST(std::abs(0.8 - we) < 0.02);  // Adam's first steps move by about lr each
}

BOOST_AUTO_TEST_CASE(state_is_kept_by_name_and_restores_exactly) {
    Tensor a = parameter(Array{1.f, 2.f});
    optim::RMSprop first;
    first.attach({{"layer.w", a}});
    step_on_square(first, a);
    step_on_square(first, a);
    const optim::State saved = first.state();
    BOOST_TEST(saved.count("layer.w/rms") == 1u);
    BOOST_TEST(saved.at("iterations")(0) == 2.f);

    // A different tensor object under the same name continues identically.
    Tensor b = parameter(a.value());
    optim::RMSprop second;
    second.attach({{"layer.w", b}});
    second.load_state(saved);
    BOOST_TEST(second.iterations() == 2);
    step_on_square(first, a);
    step_on_square(second, b);
    BOOST_TEST(a.value() == b.value());

    optim::State bad = saved;
    bad["other.w/rms"] = Array{0.f, 0.f};
    BOOST_CHECK_EXCEPTION(second.load_state(bad), ValueError, has_message("state entry 'other.w/rms' names no attached parameter"));
    bad = saved;
    bad["layer.w/rms"] = Array{0.f};
    BOOST_CHECK_EXCEPTION(second.load_state(bad), ValueError, has_message("has shape (1) but the parameter is (2)"));
    bad = saved;
    bad["layer.w/m"] = Array{0.f, 0.f};
    BOOST_CHECK_EXCEPTION(second.load_state(bad), ValueError, has_message("'layer.w/m' is not a slot of rmsprop"));
    BOOST_TEST(second.iterations() == 3);  // unchanged by the failed loads
}

BOOST_AUTO_TEST_CASE(zero_grad_and_unused_parameters) {
    Tensor w = parameter(Array{1.f}), unused = parameter(Array{5.f});
    optim::SGD sgd({.learning_rate = 0.5f});
    sgd.attach({{"w", w}, {"unused", unused}});
    step_on_square(sgd, w);
    BOOST_TEST(unused.value()(0) == 5.f);
    BOOST_TEST(w.grad().defined());
    sgd.zero_grad();
    BOOST_TEST(!w.grad().defined());
}

BOOST_AUTO_TEST_CASE(optimizer_errors) {
    BOOST_CHECK_EXCEPTION(optim::get("adagrad"), ValueError,
                          has_message("optimizer: unknown optimizer 'adagrad'; valid names: rmsprop, sgd, adam"));
    BOOST_CHECK_EXCEPTION(optim::RMSprop({.rho = 1.5f}), ValueError, has_message("RMSprop: rho must be in [0"));
    BOOST_CHECK_EXCEPTION(optim::SGD({.learning_rate = -1.f}), ValueError, has_message("SGD: learning_rate must be in"));
    Tensor w = parameter(Array{1.f});
    optim::Adam adam;
    BOOST_CHECK_EXCEPTION(adam.attach({{"w", w}, {"w", w}}), ValueError, has_message("parameter name 'w' is attached twice"));
    BOOST_TEST(optim::get("adam")->name() == "adam");
}

BOOST_AUTO_TEST_SUITE_END()
