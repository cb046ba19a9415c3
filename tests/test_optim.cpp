// Optimizers: single steps against hand-computed numbers, ten steps against the element loops
// they were before (bit for bit), the recorded step, state by name, errors.
#include <cmath>
#include <cstring>
#include <functional>
#include <type_traits>
#include <utility>

#include "helpers.hpp"
#include <xgrad/nn.hpp>
#include <xgrad/study.hpp>
#include <xgrad/viz.hpp>

using namespace xgrad;
using xgrad::test::has_message;

namespace {
// Sets dL/dw = 2w (L = sum(w^2)) and takes one optimizer step.
void step_on_square(optim::Optimizer& opt, Tensor& w) {
    opt.zero_grad();
    sum(square(w)).backward();
    opt.step();
}
// The element loops the optimizers were before they moved to the in-place primitives
// (src/optim/optimizers.cpp up to that change), kept here as the reference. Compiled without
// FMA contraction, like the primitives: each expression rounds as written.
#define XGRAD_AS_WRITTEN __attribute__((optimize("fp-contract=off")))

XGRAD_AS_WRITTEN void reference_rmsprop(const optim::RMSpropOptions& o, Array& w_arr, const Array& g_arr,
                                        std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    float* v = slots[0].data();
    const float lr = o.learning_rate, rho = o.rho, eps = o.epsilon;
    const float one_minus_rho = 1.f - rho;
    std::size_t k = 1;
    float* mom = o.momentum > 0.f ? slots[k++].data() : nullptr;
    float* mg = o.centered ? slots[k++].data() : nullptr;
    const float momentum = o.momentum;
    for (std::size_t i = 0; i < n; ++i) {
        const float vi = rho * v[i] + one_minus_rho * g[i] * g[i];
        v[i] = vi;
        float d = vi;
        if (mg) {
            mg[i] = rho * mg[i] + one_minus_rho * g[i];
            d = vi - mg[i] * mg[i];
        }
        const float s = o.eps_inside_sqrt ? lr * g[i] / std::sqrt(d + eps) : lr * g[i] / (std::sqrt(d) + eps);
        if (mom) {
            mom[i] = momentum * mom[i] + s;
            w[i] -= mom[i];
        } else {
            w[i] -= s;
        }
    }
}

XGRAD_AS_WRITTEN void reference_sgd(const optim::SGDOptions& o, Array& w_arr, const Array& g_arr,
                                    std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    const float lr = o.learning_rate, m = o.momentum;
    if (slots.empty()) {
        for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        return;
    }
    float* u = slots[0].data();
    for (std::size_t i = 0; i < n; ++i) {
        u[i] = m * u[i] - lr * g[i];
        w[i] += o.nesterov ? m * u[i] - lr * g[i] : u[i];
    }
}

XGRAD_AS_WRITTEN void reference_adam(const optim::AdamOptions& o, std::int64_t iterations, Array& w_arr,
                                     const Array& g_arr, std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    float* m = slots[0].data();
    float* v = slots[1].data();
    const double t = double(iterations);
    const float b1 = o.beta_1, b2 = o.beta_2, eps = o.epsilon;
    const float lr_t = float(o.learning_rate * std::sqrt(1.0 - std::pow(double(b2), t)) / (1.0 - std::pow(double(b1), t)));
    for (std::size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.f - b1) * g[i];
        v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
}

// Ten steps of `opt` on random parameters and gradients against `reference(w, g, slots, t)`:
// parameters and every state slot must be equal bit for bit. One parameter is large enough
// for the primitives to split it between threads.
template <class Ref>
void check_ten_steps(optim::Optimizer& opt, const std::vector<std::string>& slot_names, Ref reference) {
    manual_seed(11);
    const std::vector<Shape> shapes{{7, 5}, {300, 250}, {3}};
    std::vector<Tensor> params;
    std::vector<std::pair<std::string, Tensor>> named;
    std::vector<Array> ref_w;
    std::vector<std::vector<Array>> ref_slots;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        params.push_back(parameter(random_normal(shapes[i], 0.f, 0.5f)));
        std::string name = "p";  // not `"p" + to_string(i)`: a false GCC 12 -Wstringop-overflow
        name += std::to_string(i);
        named.emplace_back(name, params.back());
        ref_w.push_back(params.back().value());
        ref_slots.emplace_back(slot_names.size(), Array(params.back().shape(), 0.f));
    }
    opt.attach(named);
    for (std::int64_t t = 1; t <= 10; ++t) {
        for (std::size_t i = 0; i < params.size(); ++i) {
            // Gradients of varied scale, some exactly zero.
            Array g = random_normal(shapes[i], 0.f, t % 3 == 0 ? 3.f : 0.05f);
            g.data()[0] = 0.f;
            params[i].set_grad(constant(g));
            reference(ref_w[i], g, ref_slots[i], t);
        }
        opt.step();
        const optim::State state = opt.state();
        for (std::size_t i = 0; i < params.size(); ++i) {
            BOOST_TEST_INFO("step " << t << ", parameter " << i);
            BOOST_TEST((params[i].value() == ref_w[i]));
            for (std::size_t k = 0; k < slot_names.size(); ++k) {
                BOOST_TEST_INFO("slot " << slot_names[k]);
                // Appended piece by piece: GCC 12 flags `a + "/" + b` here with a false -Wstringop-overflow.
                std::string key = named[i].first;
                key += '/';
                key += slot_names[k];
                BOOST_TEST((state.at(key) == ref_slots[i][k]));
            }
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nn_optim)

BOOST_AUTO_TEST_CASE(rmsprop_matches_the_element_loops_over_ten_steps) {
    const std::vector<std::pair<optim::RMSpropOptions, std::vector<std::string>>> cases{
        {{}, {"rms"}},                                          // the book's (Keras 2) form
        {{.eps_inside_sqrt = true}, {"rms"}},                   // Keras 3
        {{.learning_rate = 0.01f, .momentum = 0.9f}, {"rms", "momentum"}},
        {{.epsilon = 1e-3f, .centered = true}, {"rms", "mg"}},
        {{.rho = 0.8f, .momentum = 0.5f, .centered = true, .eps_inside_sqrt = true}, {"rms", "momentum", "mg"}},
    };
    for (const auto& [options, slots] : cases) {
        optim::RMSprop opt(options);
        check_ten_steps(opt, slots, [o = options](Array& w, const Array& g, std::vector<Array>& s, std::int64_t) {
            reference_rmsprop(o, w, g, s);
        });
    }
}

BOOST_AUTO_TEST_CASE(sgd_matches_the_element_loops_over_ten_steps) {
    const std::vector<std::pair<optim::SGDOptions, std::vector<std::string>>> cases{
        {{}, {}},
        {{.learning_rate = 0.05f, .momentum = 0.9f}, {"momentum"}},
        {{.learning_rate = 0.05f, .momentum = 0.7f, .nesterov = true}, {"momentum"}},
    };
    for (const auto& [options, slots] : cases) {
        optim::SGD opt(options);
        check_ten_steps(opt, slots, [o = options](Array& w, const Array& g, std::vector<Array>& s, std::int64_t) {
            reference_sgd(o, w, g, s);
        });
    }
}

BOOST_AUTO_TEST_CASE(adam_matches_the_element_loops_over_ten_steps) {
    for (const optim::AdamOptions& options : {optim::AdamOptions{}, optim::AdamOptions{.learning_rate = 0.02f, .beta_1 = 0.5f, .epsilon = 1e-4f}}) {
        optim::Adam opt(options);
        check_ten_steps(opt, {"m", "v"}, [o = options](Array& w, const Array& g, std::vector<Array>& s, std::int64_t t) {
            reference_adam(o, t, w, g, s);
        });
    }
}

namespace {
// The 3-2 network of the study tests: Dense(3, relu) -> Dense(2, softmax), cross-entropy.
struct Mlp {
    Tensor x = constant(xgrad::test::mixed({2, 4}, -1.f, 1.f), "x");
    Tensor y = constant(Array{{1.f, 0.f}, {0.f, 1.f}}, "y_true");
    Tensor w1 = parameter(xgrad::test::mixed({4, 3}, -0.6f, 0.6f), "dense_1/kernel");
    Tensor b1 = parameter(Array{0.05f, -0.05f, 0.1f}, "dense_1/bias");
    Tensor w2 = parameter(xgrad::test::mixed({3, 2}, -0.8f, 0.8f), "dense_2/kernel");
    Tensor b2 = parameter(Array{0.f, 0.1f}, "dense_2/bias");
    std::vector<std::pair<std::string, Tensor>> named() const {
        return {{"dense_1/kernel", w1}, {"dense_1/bias", b1}, {"dense_2/kernel", w2}, {"dense_2/bias", b2}};
    }
    void backward() const {
        Tensor p = softmax(matmul(relu(matmul(x, w1) + b1), w2) + b2);
        (neg(sum(y * log(p))) / 2.f).backward();
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(recorded_step_is_a_graph_with_the_same_numbers) {
    Mlp plain, recorded;
    optim::RMSprop a, b;
    a.attach(plain.named());
    b.attach(recorded.named());
    std::vector<optim::RecordedUpdate> updates;
    for (int t = 0; t < 2; ++t) {  // the second step starts from a non-zero v
        plain.backward();
        recorded.backward();
        a.step();
        updates = b.record_step();
        a.zero_grad();
        b.zero_grad();
        BOOST_TEST(b.iterations() == t + 1);
        for (std::size_t i = 0; i < 4; ++i) BOOST_TEST((plain.named()[i].second.value() == recorded.named()[i].second.value()));
        BOOST_TEST((a.state() == b.state()));
    }
    BOOST_REQUIRE(updates.size() == 4u);
    const optim::RecordedUpdate& k = updates[0];
    BOOST_TEST(k.name == "dense_1/kernel");
    BOOST_TEST(k.weight.is_leaf());
    BOOST_TEST(k.grad.label() == "dense_1/kernel/grad");
    BOOST_TEST(k.slots_before[0].label() == "dense_1/kernel/rms");
    BOOST_TEST(k.slot_names == std::vector<std::string>{"rms"});
    // The formulas are nodes: v' = addcmul(mul(v, ρ), g, g) and w' = addcdiv(w, g, add(sqrt(v'), ε)).
    const Tensor& v = k.slots_after[0];
    BOOST_TEST(v.op() == "addcmul");
    BOOST_TEST(v.label() == "dense_1/kernel/v ← ρ·v + (1−ρ)·g²");
    BOOST_TEST(v.inputs()[0].op() == "mul");
    BOOST_TEST(v.inputs()[0].inputs()[0].id() == k.slots_before[0].id());
    BOOST_TEST(v.inputs()[1].id() == k.grad.id());
    BOOST_TEST(k.updated.op() == "addcdiv");
    BOOST_TEST(k.updated.label() == "dense_1/kernel/w ← w − lr·g/(√v + ε)");
    BOOST_TEST(k.updated.inputs()[0].id() == k.weight.id());
    BOOST_TEST(k.updated.inputs()[2].label() == "dense_1/kernel/√v + ε");
    BOOST_TEST(k.updated.inputs()[2].inputs()[0].inputs()[0].id() == v.id());
    // Drawable: the diagram shows both formulas, clustered by the parameter's scope.
    const std::string dot = viz::to_dot({k.updated, v});
    BOOST_TEST(dot.find("v ← ρ·v + (1−ρ)·g²") != std::string::npos);
    BOOST_TEST(dot.find("w ← w − lr·g/(√v + ε)") != std::string::npos);
    BOOST_TEST(dot.find("cluster") != std::string::npos);
    // Steppable: the backward stepper walks the update and agrees with grad().
    study::BackwardStepper stepper(sum(k.updated));
    std::vector<std::string> ops;
    for (const auto& step : stepper.run_to_end()) ops.push_back(step.node.op);
    BOOST_TEST(ops == (std::vector<std::string>{"sum", "addcdiv", "add", "sqrt", "addcmul", "mul"}));
    const std::vector<Tensor> expected = grad({sum(k.updated)}, {k.weight, k.grad, k.slots_before[0]}, {.retain_graph = true});
    BOOST_TEST((stepper.gradient(k.weight).value() == expected[0].value()));  // dw'/dw = 1
    BOOST_TEST((stepper.gradient(k.weight).value() == Array(xt::ones<float>(k.weight.shape()))));
    BOOST_TEST((stepper.gradient(k.grad).value() == expected[1].value()));
    BOOST_TEST((stepper.gradient(k.slots_before[0]).value() == expected[2].value()));
    // Under NoGradGuard there is nothing to record.
    NoGradGuard no_grad;
    BOOST_CHECK_EXCEPTION(b.record_step(), GraphError, has_message("rmsprop: record_step needs gradient recording on"));
}

BOOST_AUTO_TEST_CASE(clones_do_not_share_state) {
    Tensor w = parameter(Array{1.f, -1.f});
    optim::RMSprop a;
    a.attach({{"w", w}});
    step_on_square(a, w);
    std::shared_ptr<optim::Optimizer> b = a.clone();
    const Array before = b->state().at("w/rms");
    step_on_square(a, w);
    BOOST_TEST((b->state().at("w/rms") == before));
    BOOST_TEST(!(a.state().at("w/rms") == before));
}

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

// Makers of every optimizer (and the variants with more slots) at a given learning rate.
std::vector<std::function<std::shared_ptr<optim::Optimizer>(float)>> every_optimizer() {
    using namespace optim;
    return {
        [](float lr) { return std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = lr}); },
        [](float lr) { return std::make_shared<RMSprop>(RMSpropOptions{.learning_rate = lr, .momentum = 0.5f, .centered = true}); },
        [](float lr) { return std::make_shared<SGD>(SGDOptions{.learning_rate = lr}); },
        [](float lr) { return std::make_shared<SGD>(SGDOptions{.learning_rate = lr, .momentum = 0.9f, .nesterov = true}); },
        [](float lr) { return std::make_shared<Adam>(AdamOptions{.learning_rate = lr}); },
    };
}

BOOST_AUTO_TEST_CASE(set_learning_rate_changes_the_following_steps) {
    for (const auto& make : every_optimizer()) {
        Tensor w1 = parameter(Array{1.f, -2.f, 0.5f}), w2 = parameter(Array{1.f, -2.f, 0.5f});
        auto changed = make(0.01f);
        BOOST_TEST(changed->learning_rate() == 0.01f);
        changed->attach({{"w", w1}});
        step_on_square(*changed, w1);
        changed->set_learning_rate(0.2f);
        BOOST_TEST(changed->learning_rate() == 0.2f, changed->name());
        BOOST_TEST(changed->clone()->learning_rate() == 0.2f);  // part of the options, copied with them
        // The reference: one step at 0.01, then an optimizer built with 0.2 and the same state.
        auto first = make(0.01f);
        first->attach({{"w", w2}});
        step_on_square(*first, w2);
        auto second = make(0.2f);
        second->attach({{"w", w2}});
        second->load_state(first->state());
        step_on_square(*changed, w1);
        step_on_square(*second, w2);
        BOOST_TEST(std::memcmp(w1.value().data(), w2.value().data(), 3 * sizeof(float)) == 0, changed->name());
        BOOST_TEST(changed->iterations() == 2);  // Adam's bias correction still counts both steps
    }
    optim::SGD sgd({.learning_rate = 0.5f});
    sgd.set_learning_rate(0.125f);
    BOOST_TEST(sgd.options().learning_rate == 0.125f);
}

BOOST_AUTO_TEST_CASE(set_learning_rate_errors) {
    for (const auto& make : every_optimizer()) {
        auto opt = make(0.01f);
        const std::string who = opt->name() + ": set_learning_rate(";
        const std::string why = "): the learning rate must be finite and positive";
        BOOST_CHECK_EXCEPTION(opt->set_learning_rate(-1.f), ValueError, has_message(who + "-1" + why));
        BOOST_CHECK_EXCEPTION(opt->set_learning_rate(0.f), ValueError, has_message(who + "0" + why));
        BOOST_CHECK_EXCEPTION(opt->set_learning_rate(std::nanf("")), ValueError, has_message(who + "nan" + why));
        BOOST_CHECK_EXCEPTION(opt->set_learning_rate(INFINITY), ValueError, has_message(who + "inf" + why));
        BOOST_TEST(opt->learning_rate() == 0.01f);  // unchanged
    }
}

BOOST_AUTO_TEST_CASE(model_optimizer_is_const_correct) {
    // A const model hands out a read-only optimizer; a mutable one can be changed.
    static_assert(std::is_const_v<std::remove_reference_t<decltype(std::declval<const nn::Model&>().optimizer())>>);
    static_assert(!std::is_const_v<std::remove_reference_t<decltype(std::declval<nn::Model&>().optimizer())>>);
    manual_seed(5);
    nn::Sequential model;
    model.add(nn::Dense(3, "softmax", 4));
    const nn::Model& view = model;
    BOOST_CHECK_EXCEPTION(view.optimizer(), ValueError,
                          has_message("optimizer: model '" + model.name() + "' is not compiled; call compile("));
    model.compile(optim::Adam({.learning_rate = 0.25f}), "mse");
    BOOST_TEST(view.optimizer().learning_rate() == 0.25f);
    model.optimizer().set_learning_rate(0.5f);
    BOOST_TEST(view.optimizer().learning_rate() == 0.5f);
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
