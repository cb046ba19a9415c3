// The whole training step, stepped: forward formulas and values, the backward pass, and the
// optimizer's update line by line, equal to backward() + optimizer.step() on the 3-2 network
// (Dense(3, relu) -> Dense(2, softmax)) and on an MNIST-shaped step (784-512-10, batch 128,
// synthetic data).
#include <cmath>
#include <xgrad/nn.hpp>
#include <xgrad/study.hpp>

#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::study;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {

// A compiled Sequential, one batch and the step's graph (probs, loss) built like fit builds it
// without the fused softmax: forward, then the Keras loss on the probabilities.
struct Net {
    nn::Sequential model;
    Tensor x, y, probs, loss;
    Net(std::size_t inputs, std::size_t hidden, std::size_t classes, std::size_t batch,
        const optim::Optimizer& opt = optim::RMSprop()) {
        manual_seed(3);
        model.add(nn::Dense(hidden, "relu", inputs));
        model.add(nn::Dense(classes, "softmax"));
        model.compile(opt, "categorical_crossentropy");
        model.optimizer().attach(model.named_parameters());
        x = constant(random_uniform({batch, inputs}, 0.f, 1.f), "x");
        Array labels(Array::shape_type{batch, classes}, 0.f);
        for (std::size_t i = 0; i < batch; ++i) labels(i, (i * 7) % classes) = 1.f;
        y = constant(labels, "y_true");
        probs = model.forward(x);
        loss = model.loss()(y, probs);
    }
};

// Steps the update from the backward stepper's gradients, then does the real thing, and
// compares every parameter. Returns the worst relative difference.
void check_update_equals_optimizer(Net& net) {
    BackwardStepper back(net.loss);
    back.run_to_end();
    UpdateStepper update(net.model.optimizer(), back.gradients());
    BOOST_TEST(update.size() > 0u);
    std::vector<UpdateRecord> records = update.run_to_end();
    BOOST_TEST(update.done());
    for (const auto& [name, p] : net.model.named_parameters()) BOOST_TEST(!p.grad().defined(), name << " touched");
    std::map<std::string, Array> planned;
    for (const std::string& name : update.parameters()) planned[name] = update.updated(name);
    BOOST_TEST(planned.size() == net.model.named_parameters().size());

    net.model.optimizer().zero_grad();
    net.loss.backward();
    net.model.optimizer().step();
    for (const auto& [name, p] : net.model.named_parameters()) {
        const Array& want = p.value();
        const Array& got = planned.at(name);
        BOOST_REQUIRE(got.shape() == want.shape());
        float worst = 0;
        for (std::size_t i = 0; i < want.size(); ++i)
            worst = std::max(worst, std::abs(got.data()[i] - want.data()[i]) / std::max(1e-3f, std::abs(want.data()[i])));
        BOOST_TEST(worst <= 1e-6f, name << ": stepped update differs from optimizer.step() by " << worst);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(forward_stepper)

BOOST_AUTO_TEST_CASE(steps_every_op_in_order_with_values) {
    Net net(4, 3, 2, 2);
    ForwardStepper fwd(net.loss);
    std::vector<ForwardRecord> steps = fwd.run_to_end();
    BOOST_REQUIRE(steps.size() >= 6u);  // matmul, add, relu, matmul, add, softmax, then the loss ops
    BOOST_TEST(steps.size() == fwd.size());
    for (std::size_t i = 1; i < steps.size(); ++i) BOOST_TEST(steps[i].node.id > steps[i - 1].node.id);
    BOOST_TEST(steps.back().node.id == net.loss.id());
    BOOST_TEST(steps.back().value.size() == 1u);
    BOOST_TEST(steps.back().value(0) == net.loss.item());
    BOOST_TEST(steps[0].node.op == "matmul");
    BOOST_TEST(steps[0].inputs.size() == 2u);
    BOOST_TEST((steps[0].inputs[0].value == net.x.value()));
    BOOST_TEST(steps[0].formula == "C = A·B : (2x4)·(4x3) → (2x3)");
    BOOST_TEST(steps[1].node.op == "add");
    BOOST_TEST(steps[1].formula == "C = a + b : (2x3) + (3) → (2x3), b broadcast over axis 0");
    BOOST_TEST(steps[1].layer_formula == "z = x·W + b : (2x4)·(4x3) + (3) → (2x3)");
    BOOST_TEST(steps[2].formula == "C = max(a, 0) : (2x3)");
    BOOST_TEST(steps[0].layer_formula.empty());
    // The model's output is one of the steps, with its value.
    bool saw_probs = false;
    for (const ForwardRecord& r : steps)
        if (r.node.id == net.probs.id()) {
            saw_probs = true;
            BOOST_TEST(r.formula == "C = e^a / Σ_row e^a : (2x2)");
            BOOST_TEST((r.value == net.probs.value()));
        }
    BOOST_TEST(saw_probs);
}

BOOST_AUTO_TEST_CASE(previous_seek_and_errors) {
    Net net(4, 3, 2, 2);
    ForwardStepper fwd(net.loss);
    ForwardRecord a = fwd.next(), b = fwd.next();
    fwd.next();
    ForwardRecord back = fwd.previous();
    BOOST_TEST(back.node.id == b.node.id);
    BOOST_TEST(fwd.position() == 2u);
    fwd.reset();
    BOOST_TEST(fwd.next().node.id == a.node.id);
    BOOST_CHECK_EXCEPTION(fwd.previous(), GraphError, has_message{"use reset()"});
    BOOST_CHECK_EXCEPTION(fwd.seek(99), GraphError, has_message{"past the end (the pass has " + std::to_string(fwd.size())});
    fwd.run_to_end();
    BOOST_CHECK_EXCEPTION(fwd.next(), GraphError, has_message{"have run"});
    BOOST_CHECK_EXCEPTION(ForwardStepper{net.x}, GraphError, has_message{"(2x4 'x') is a leaf (constant)"});
    BOOST_CHECK_EXCEPTION(ForwardStepper{Tensor()}, GraphError, has_message{"undefined"});
    BOOST_CHECK_EXCEPTION(forward_formula(net.x), GraphError, has_message{"is a leaf"});
}

BOOST_AUTO_TEST_CASE(formulas_of_reductions_and_unknown_ops) {
    Tensor a = parameter(mixed({2, 3}, -1.f, 1.f), "a");
    BOOST_TEST(forward_formula(sum(a, {1})) == "C = Σ over axis 1 of a : (2x3) → (2)");
    BOOST_TEST(forward_formula(mean(a)) == "C = mean over axes 0, 1 of a : (2x3) → ()");
    BOOST_TEST(forward_formula(a * 2.f).find("C = a ⊙ b : (2x3) ⊙ () → (2x3), b broadcast over axes 0, 1") == 0u);
    Tensor c = concat({a, a}, 0);
    BOOST_TEST(forward_formula(c) == "C = concat(a, b) : (2x3), (2x3) → (4x3)");
}

BOOST_AUTO_TEST_CASE(mnist_shaped_step_names_the_shapes) {
    Net net(784, 512, 10, 128);
    ForwardStepper fwd(net.loss);
    std::vector<ForwardRecord> steps = fwd.run_to_end();
    BOOST_TEST(steps[0].formula == "C = A·B : (128x784)·(784x512) → (128x512)");
    BOOST_TEST(steps[1].layer_formula == "z = x·W + b : (128x784)·(784x512) + (512) → (128x512)");
    BOOST_TEST(steps[3].formula == "C = A·B : (128x512)·(512x10) → (128x10)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(update_stepper)

BOOST_AUTO_TEST_CASE(rmsprop_rule_lines) {
    std::vector<std::string> r = update_rule(optim::RMSprop());
    BOOST_REQUIRE(r.size() == 2u);
    BOOST_TEST(r[0] == "v ← ρ·v + (1−ρ)·g², ρ = 0.9");
    BOOST_TEST(r[1] == "w ← w − lr·g/(√v + ε), lr = 0.001, ε = 1e-07");
    BOOST_TEST(update_rule(optim::RMSprop({.momentum = 0.5f, .centered = true})).size() == 4u);
    BOOST_TEST(update_rule(optim::SGD()).front() == "w ← w − lr·g, lr = 0.01");
    BOOST_TEST(update_rule(optim::Adam()).size() == 3u);
}

BOOST_AUTO_TEST_CASE(three_two_network_first_step_equals_optimizer_step) {
    Net net(4, 3, 2, 2);
    check_update_equals_optimizer(net);
}

BOOST_AUTO_TEST_CASE(second_step_reads_the_optimizer_state) {
    Net net(4, 3, 2, 2);
    net.loss.backward();
    net.model.optimizer().step();  // v is no longer zero
    net.model.optimizer().zero_grad();
    Net& again = net;
    again.probs = again.model.forward(again.x);
    again.loss = again.model.loss()(again.y, again.probs);
    BackwardStepper back(again.loss);
    back.run_to_end();
    UpdateStepper update(again.model.optimizer(), back.gradients());
    const UpdateRecord& v = update.records().front();
    BOOST_TEST(v.quantity == "v");
    BOOST_TEST(xt::amax(v.before)() > 0.f);  // the state from the first step
    check_update_equals_optimizer(again);
}

BOOST_AUTO_TEST_CASE(sgd_momentum_and_adam_equal_their_step) {
    {
        Net net(4, 3, 2, 2, optim::SGD({.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true}));
        check_update_equals_optimizer(net);
    }
    {
        Net net(4, 3, 2, 2, optim::Adam());
        check_update_equals_optimizer(net);
    }
    {
        Net net(4, 3, 2, 2, optim::RMSprop({.momentum = 0.5f, .centered = true, .eps_inside_sqrt = true}));
        check_update_equals_optimizer(net);
    }
}

BOOST_AUTO_TEST_CASE(mnist_shaped_step_equals_backward_and_optimizer_step) {
    Net net(784, 512, 10, 128);
    // The stepper's gradients equal backward()'s, parameter by parameter.
    BackwardStepper back(net.loss);
    back.run_to_end();
    Net twin(784, 512, 10, 128);  // same seed: the same weights and data
    twin.loss.backward();
    const auto params = net.model.named_parameters(), twins = twin.model.named_parameters();
    for (std::size_t i = 0; i < params.size(); ++i)
        BOOST_TEST((back.gradient(params[i].second).value() == twins[i].second.grad().value()), params[i].first);
    check_update_equals_optimizer(net);
}

BOOST_AUTO_TEST_CASE(records_and_worked_example) {
    Net net(4, 3, 2, 2);
    BackwardStepper back(net.loss);
    back.run_to_end();
    UpdateStepper update(net.model.optimizer(), back.gradients());
    // Two lines per parameter, parameters in the optimizer's order.
    BOOST_REQUIRE(update.size() == 8u);
    const UpdateRecord& w = update.records()[1];
    BOOST_TEST(w.param == "dense_1.kernel");
    BOOST_TEST(w.quantity == "w");
    BOOST_TEST(w.formula == "w ← w − lr·g/(√v + ε), lr = 0.001, ε = 1e-07 : (4x3)");
    BOOST_TEST((w.before == net.model.named_parameters()[0].second.value()));
    BOOST_TEST(update.records()[0].formula == "v ← ρ·v + (1−ρ)·g², ρ = 0.9 : (4x3)");
    // Each line lists the ops of the optimizer's recorded step that compute it, its own last.
    BOOST_REQUIRE(!update.records()[0].ops.empty());
    BOOST_TEST(update.records()[0].ops.back().rfind("v ← ρ·v + (1−ρ)·g²", 0) == 0u, update.records()[0].ops.back());
    BOOST_REQUIRE(!w.ops.empty());
    BOOST_TEST(w.ops.back().rfind("w ← w − lr·g/(√v + ε)", 0) == 0u, w.ops.back());
    // The worked example agrees with explain_rmsprop_step on the same element.
    back.accumulate_into_leaves();
    RmspropStep e = explain_rmsprop_step(net.model.named_parameters()[0].second, {0, 1});
    const std::string text = update.worked_example("dense_1.kernel", {0, 1});
    BOOST_TEST_INFO(text);
    std::ostringstream want;
    want.precision(4);
    want << e.w_after;
    BOOST_TEST(text.find("w ← w − lr·g/(√v + ε) = ") != std::string::npos);
    BOOST_TEST(text.find(" = " + want.str() + "\n") != std::string::npos);
    BOOST_TEST(update.updated("dense_1.kernel")(0, 1) == e.w_after, boost::test_tools::tolerance(1e-6f));
    // Stepping.
    UpdateRecord first = update.next();
    update.next();
    BOOST_TEST(update.previous().index == first.index);
    BOOST_CHECK_EXCEPTION(update.previous(), GraphError, has_message{"use reset()"});
    BOOST_CHECK_EXCEPTION(update.seek(9), GraphError, has_message{"the update has 8 steps"});
}

BOOST_AUTO_TEST_CASE(errors_name_the_optimizer_and_parameter) {
    Net net(4, 3, 2, 2);
    BackwardStepper back(net.loss);
    back.run_to_end();
    UpdateStepper update(net.model.optimizer(), back.gradients());
    BOOST_CHECK_EXCEPTION(update.updated("nope"), ValueError, has_message{"no parameter 'nope' in the update; it covers: dense_1.kernel"});
    BOOST_CHECK_EXCEPTION(update.worked_example("dense_1.kernel", {4, 0}), ShapeError,
                          has_message{"index (4, 0) is not an element of 'dense_1.kernel' (4x3)"});
    optim::RMSprop lonely;
    BOOST_CHECK_EXCEPTION(UpdateStepper{lonely}, ValueError, has_message{"'rmsprop' has no parameters attached"});
    std::map<std::uint64_t, Array> wrong{{net.model.named_parameters()[0].second.id(), Array{1.f}}};
    BOOST_CHECK_EXCEPTION(UpdateStepper(net.model.optimizer(), wrong), ShapeError,
                          has_message{"gradient (1) of 'dense_1.kernel' does not match its shape (4x3)"});
}

BOOST_AUTO_TEST_SUITE_END()
