// The study tools: the stepper reproduces backward(), formulas name the right shapes and axes,
// traces filter by scope, the RMSprop explanation matches the formula.
#include <cmath>
#include <xgrad/optim/optimizers.hpp>
#include <xgrad/study.hpp>

#include "helpers.hpp"

using namespace xgrad;
using namespace xgrad::study;
using xgrad::test::has_message;
using xgrad::test::mixed;

namespace {

// A graph with broadcasting: a bias (3) added to rows, a (2) scale broadcast over columns.
struct Broadcasting {
    Tensor x = constant(mixed({2, 3}, -1.f, 1.f), "x");
    Tensor b = parameter(Array{0.1f, -0.2f, 0.3f}, "b");
    Tensor w = parameter(mixed({3, 2}, -0.5f, 0.7f), "w");
    Tensor s = parameter(xgrad::test::column({1.5f, -0.5f}), "s");
    std::vector<Tensor> params() const { return {b, w, s}; }
    Tensor loss() const { return mean(matmul(x + b, w) * s); }
};

// A tensor used twice: h feeds both factors of a product and a sum.
struct UsedTwice {
    Tensor a = parameter(Array{0.5f, -1.5f, 2.f}, "a");
    std::vector<Tensor> params() const { return {a}; }
    Tensor loss() const {
        Tensor h = tanh(a);
        return sum(h * h + h);
    }
};

// Dense(3, relu) -> Dense(2, softmax), categorical cross-entropy, batch of 2.
struct Mlp {
    Tensor x = constant(mixed({2, 4}, -1.f, 1.f), "x");
    Tensor y = constant(Array{{1.f, 0.f}, {0.f, 1.f}}, "y_true");
    Tensor w1 = parameter(mixed({4, 3}, -0.6f, 0.6f), "dense_1/kernel");
    Tensor b1 = parameter(Array{0.05f, -0.05f, 0.1f}, "dense_1/bias");
    Tensor w2 = parameter(mixed({3, 2}, -0.8f, 0.8f), "dense_2/kernel");
    Tensor b2 = parameter(Array{0.f, 0.1f}, "dense_2/bias");
    std::vector<Tensor> params() const { return {w1, b1, w2, b2}; }
    Tensor loss() const {
        Tensor h, p;
        {
            NameScope scope("dense_1");
            h = relu(matmul(x, w1) + b1);
        }
        {
            NameScope scope("dense_2");
            p = softmax(matmul(h, w2) + b2);
        }
        NameScope scope("loss");
        return neg(sum(y * log(p))) / 2.f;
    }
};

template <class G>
void check_matches_backward() {
    G g;
    Tensor loss = g.loss();
    BackwardStepper stepper(loss);
    BOOST_TEST(stepper.size() > 0u);
    std::vector<StepRecord> steps = stepper.run_to_end();
    BOOST_TEST(steps.size() == stepper.size());
    BOOST_TEST(stepper.done());
    for (const Tensor& p : g.params()) BOOST_TEST(!p.grad().defined(), "the stepper touched " << p.label());
    std::vector<Array> stepped;
    for (const Tensor& p : g.params()) stepped.push_back(stepper.gradient(p).value());
    loss.backward();
    for (std::size_t i = 0; i < stepped.size(); ++i) {
        const Tensor p = g.params()[i];
        BOOST_TEST_INFO(p.label() << ": stepper " << stepped[i] << " backward " << p.grad().value());
        BOOST_TEST((stepped[i] == p.grad().value()));
    }
    // And the same through the id map.
    auto by_id = stepper.gradients();
    for (const Tensor& p : g.params()) BOOST_TEST((by_id.at(p.id()) == p.grad().value()));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stepper)

BOOST_AUTO_TEST_CASE(broadcasting_graph_matches_backward) { check_matches_backward<Broadcasting>(); }
BOOST_AUTO_TEST_CASE(tensor_used_twice_matches_backward) { check_matches_backward<UsedTwice>(); }
BOOST_AUTO_TEST_CASE(mlp_with_cross_entropy_matches_backward) { check_matches_backward<Mlp>(); }

BOOST_AUTO_TEST_CASE(steps_follow_reverse_topological_order) {
    Broadcasting g;
    Tensor loss = g.loss();
    BackwardStepper stepper(loss);
    StepRecord first = stepper.next();
    BOOST_TEST(first.node.id == loss.id());
    BOOST_TEST(first.index == 0u);
    BOOST_TEST(first.total == stepper.size());
    BOOST_TEST(first.upstream.size() == 1u);
    BOOST_TEST(first.upstream(0) == 1.f);
    // Every node is stepped after all of its users: ids of the nodes that used it are larger.
    std::vector<StepRecord> rest = stepper.run_to_end();
    for (std::size_t i = 1; i < rest.size(); ++i) BOOST_TEST(rest[i].node.id < rest[i - 1].node.id);
}

BOOST_AUTO_TEST_CASE(previous_returns_the_same_record) {
    Mlp g;
    BackwardStepper stepper(g.loss());
    std::vector<StepRecord> seen;
    for (int i = 0; i < 5; ++i) seen.push_back(stepper.next());
    StepRecord back = stepper.previous();
    BOOST_TEST(stepper.position() == 4u);
    BOOST_TEST((back == seen[3]));
    BOOST_TEST(!(back == seen[2]));
    back = stepper.previous();
    BOOST_TEST((back == seen[2]));
    BOOST_TEST((stepper.next() == seen[3]));
    BOOST_TEST((stepper.next() == seen[4]));
    BOOST_TEST(stepper.history().size() == 5u);
    stepper.reset();
    BOOST_TEST(stepper.position() == 0u);
    BOOST_TEST((stepper.next() == seen[0]));
}

BOOST_AUTO_TEST_CASE(gradients_fill_in_as_steps_run) {
    Broadcasting g;
    Tensor loss = g.loss();
    BackwardStepper stepper(loss);
    BOOST_TEST(stepper.gradients().size() == 1u);  // the seed
    BOOST_TEST(stepper.gradient(loss).item() == 1.f);
    BOOST_TEST(!stepper.gradient(g.w).defined());
    while (!stepper.gradient(g.w).defined()) stepper.next();
    BOOST_TEST(stepper.gradients().count(g.w.id()) == 1u);
}

BOOST_AUTO_TEST_CASE(accumulated_reported_for_a_tensor_used_twice) {
    Tensor a = parameter(Array{3.f}, "a");
    Tensor loss = sum(a * a);
    BackwardStepper stepper(loss);
    StepRecord sum_step = stepper.next();
    BOOST_TEST(!sum_step.inputs[0].accumulated);
    StepRecord mul_step = stepper.next();
    BOOST_TEST(mul_step.node.op == "mul");
    BOOST_REQUIRE(mul_step.inputs.size() == 2u);
    BOOST_TEST(!mul_step.inputs[0].accumulated);
    BOOST_TEST(mul_step.inputs[1].accumulated);
    BOOST_TEST(stepper.gradient(a).item() == 6.f);
    // And across two nodes: h reaches the loss through mul and through add.
    UsedTwice u;
    BackwardStepper s2(u.loss());
    bool any = false;
    for (const StepRecord& r : s2.run_to_end())
        for (const InputGrad& in : r.inputs) any = any || in.accumulated;
    BOOST_TEST(any);
}

BOOST_AUTO_TEST_CASE(constants_get_no_gradient) {
    Broadcasting g;
    BackwardStepper stepper(g.loss());
    bool saw_constant = false;
    for (const StepRecord& r : stepper.run_to_end())
        for (const InputGrad& in : r.inputs)
            if (in.input.op == "constant") {
                saw_constant = true;
                BOOST_TEST(!in.needed);
            }
    BOOST_TEST(saw_constant);
    BOOST_TEST(!stepper.gradient(g.x).defined());
}

BOOST_AUTO_TEST_CASE(retained_intermediate_grads_are_not_touched) {
    Tensor w = parameter(Array{1.f, 2.f}, "w");
    Tensor h = w * 3.f;
    h.retain_grad();
    Tensor loss = sum(h * h);
    BackwardStepper stepper(loss);
    stepper.run_to_end();
    BOOST_TEST(!h.grad().defined());
    BOOST_TEST(!w.grad().defined());
}

BOOST_AUTO_TEST_CASE(accumulate_into_leaves_equals_backward) {
    Mlp g;
    Tensor loss = g.loss();
    BackwardStepper stepper(loss);
    BOOST_CHECK_EXCEPTION(stepper.accumulate_into_leaves(), GraphError, has_message{"incomplete"});
    stepper.run_to_end();
    stepper.accumulate_into_leaves();
    std::vector<Array> from_stepper;
    for (const Tensor& p : g.params()) from_stepper.push_back(p.grad().value());
    for (Tensor p : g.params()) p.zero_grad();
    loss.backward();
    for (std::size_t i = 0; i < from_stepper.size(); ++i) BOOST_TEST((from_stepper[i] == g.params()[i].grad().value()));
}

BOOST_AUTO_TEST_CASE(explicit_seed_for_a_non_scalar_output) {
    Tensor a = parameter(Array{1.f, 2.f}, "a");
    Tensor y = a * a;
    BackwardStepper stepper(y, {.seed = constant(Array{1.f, 10.f})});
    stepper.run_to_end();
    BOOST_TEST((stepper.gradient(a).value() == Array{2.f, 40.f}));
}

BOOST_AUTO_TEST_CASE(errors_name_the_problem) {
    Tensor a = parameter(Array{1.f, 2.f}, "a");
    BOOST_CHECK_EXCEPTION(BackwardStepper(a * 2.f), GraphError, has_message{"not a one-element tensor"});
    BOOST_CHECK_EXCEPTION(BackwardStepper(constant(Array{1.f}, "c")), GraphError, has_message{"(1 'c') does not require grad"});
    BOOST_CHECK_EXCEPTION(BackwardStepper{Tensor()}, GraphError, has_message{"undefined loss"});
    BOOST_CHECK_EXCEPTION(BackwardStepper(a * a, {.seed = constant(Array{1.f})}), ShapeError,
                          has_message{"does not match loss"});
    Tensor loss = sum(a * a);
    BackwardStepper stepper(loss);
    BOOST_CHECK_EXCEPTION(stepper.previous(), GraphError, has_message{"use reset()"});
    BOOST_CHECK_EXCEPTION(stepper.seek(99), GraphError, has_message{"past the end (the pass has 2 steps)"});
    stepper.run_to_end();
    BOOST_CHECK_EXCEPTION(stepper.next(), GraphError, has_message{"all 2 steps"});
    Tensor freed = sum(a * 3.f);
    freed.backward();
    BOOST_CHECK_EXCEPTION(BackwardStepper{freed}, GraphError, has_message{"freed by an earlier backward()"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(matmul_formula_names_transposes_and_shapes) {
    Tensor a = parameter(mixed({2, 4}, -1.f, 1.f), "A");
    Tensor b = parameter(mixed({4, 3}, -1.f, 1.f), "B");
    Tensor c = matmul(a, b);
    BOOST_TEST(concrete_rule(c, 0) == "dA = dC · Bᵀ : (2x4) = (2x3)·(3x4)");
    BOOST_TEST(concrete_rule(c, 1) == "dB = Aᵀ · dC : (4x3) = (4x2)·(2x3)");
    Tensor ct = matmul(a, a, {false, true});  // C = A·Aᵀ (2x2)
    BOOST_TEST(concrete_rule(ct, 1) == "dB = dCᵀ · A : (2x4) = (2x2)·(2x4)");
    // Through the stepper: the same text in the record.
    BackwardStepper stepper(sum(c));
    stepper.next();
    StepRecord r = stepper.next();
    BOOST_TEST(r.node.op == "matmul");
    BOOST_TEST(r.inputs[0].formula.find("dA = dC · Bᵀ") != std::string::npos);
    BOOST_TEST(r.inputs[1].formula.find("dB = Aᵀ · dC") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broadcast_add_sums_over_the_broadcast_axes) {
    Tensor x = parameter(mixed({2, 3}, -1.f, 1.f), "x");
    Tensor b = parameter(Array{1.f, 2.f, 3.f}, "b");
    Tensor row = parameter(Array{{1.f, 2.f, 3.f}}, "row");  // (1x3)
    Tensor col = parameter(xgrad::test::column({1.f, 2.f}), "col");      // (2x1)
    BOOST_TEST(concrete_rule(x + b, 1) == "db = sum over axis 0 of dC : dC (2x3) → (3)");
    BOOST_TEST(concrete_rule(x + b, 0) == "da = dC : (2x3)");
    BOOST_TEST(concrete_rule(x + row, 1) == "db = sum over axis 0 of dC : dC (2x3) → (1x3)");
    BOOST_TEST(concrete_rule(x + col, 1) == "db = sum over axis 1 of dC : dC (2x3) → (2x1)");
    BOOST_TEST(concrete_rule(x * col, 1) == "db = sum over axis 1 of (dC ⊙ a) : dC (2x3) → (2x1)");
    Tensor s = parameter(Array(2.f), "s");
    BOOST_TEST(concrete_rule(x - s, 1) == "db = sum over axes 0, 1 of -dC : dC (2x3) → ()");
}

BOOST_AUTO_TEST_CASE(unary_and_reduction_formulas) {
    Tensor x = parameter(mixed({2, 3}, -1.f, 1.f), "x");
    BOOST_TEST(concrete_rule(relu(x), 0) == "da = dC ⊙ [a > 0] : (2x3)");
    BOOST_TEST(concrete_rule(mean(x), 0) == "da = dC / 6 broadcast back over axes 0, 1 : () → (2x3)");
    BOOST_TEST(concrete_rule(softmax(x), 0).find("Σ_row") != std::string::npos);
    BOOST_CHECK_EXCEPTION(concrete_rule(relu(x), 1), GraphError, has_message{"has 1 inputs, asked for input 1"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(trace)

BOOST_AUTO_TEST_CASE(table_lists_every_step_and_input) {
    Broadcasting g;
    BackwardStepper stepper(g.loss());
    std::vector<StepRecord> steps = stepper.run_to_end();
    std::string t = trace_table(steps);
    BOOST_TEST_INFO(t);
    BOOST_TEST(t.find("dL/dC (upstream)") != std::string::npos);
    BOOST_TEST(t.find("1/" + std::to_string(steps.size())) != std::string::npos);
    BOOST_TEST(t.find("'w'") != std::string::npos);
    BOOST_TEST(t.find("db = sum over axis 0 of dC") != std::string::npos);
    BOOST_TEST(t.find("(no gradient: constant)") != std::string::npos);
    // One header, one rule line, then one line per (step, input) with at least one per step.
    std::size_t lines = std::count(t.begin(), t.end(), '\n'), rows = 0;
    for (const StepRecord& s : steps) rows += std::max<std::size_t>(s.inputs.size(), 1);
    BOOST_TEST(lines == rows + 2);
}

BOOST_AUTO_TEST_CASE(large_values_are_summarised) {
    Tensor w = parameter(mixed({20, 10}, -1.f, 1.f), "big");
    BackwardStepper stepper(sum(w * w));
    std::string t = trace_table(stepper.run_to_end(), {.max_elements = 12});
    BOOST_TEST(t.find("min ") != std::string::npos);
    BOOST_TEST(t.find("norm ") != std::string::npos);
    std::string full = format_step(stepper.history().back(), {.max_elements = 1000});
    BOOST_TEST(full.find("min ") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(filter_by_scope_and_node) {
    Mlp g;
    BackwardStepper stepper(g.loss());
    std::vector<StepRecord> steps = stepper.run_to_end();
    std::string only1 = trace_table(steps, {.scopes = {"dense_1"}});
    BOOST_TEST_INFO(only1);
    BOOST_TEST(only1.find("'dense_1/matmul'") != std::string::npos);
    BOOST_TEST(only1.find("'dense_1/relu'") != std::string::npos);
    BOOST_TEST(only1.find("'dense_2/softmax'") == std::string::npos);
    BOOST_TEST(only1.find("'loss/") == std::string::npos);
    std::size_t kept = 0;
    for (const StepRecord& s : steps) kept += selected(s, {.scopes = {"dense_1"}});
    BOOST_TEST(kept == 3u);  // matmul, add, relu
    // "dense_1" is a scope name, not a string prefix: "dense_10" does not match it.
    StepRecord fake = steps.front();
    fake.node.scope = "dense_10";
    fake.node.label = "dense_10/add";
    BOOST_TEST(!selected(fake, {.scopes = {"dense_1"}}));
    TraceOptions by_id;
    by_id.nodes = {steps[1].node.id};
    std::string one = trace_table(steps, by_id);
    BOOST_TEST(one.find(node_name(steps[1].node)) != std::string::npos);
    BOOST_TEST(one.find(node_name(steps[0].node)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_step_shows_accumulation) {
    Tensor a = parameter(Array{3.f}, "a");
    BackwardStepper stepper(sum(a * a));
    stepper.next();
    std::string s = format_step(stepper.next());
    BOOST_TEST_INFO(s);
    BOOST_TEST(s.find("step 2/2: mul") != std::string::npos);
    BOOST_TEST(s.find("+= [3]") != std::string::npos);  // dC ⊙ a = 1·3, added to the first 3
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(optimizer_explain)

BOOST_AUTO_TEST_CASE(rmsprop_pieces_match_the_formula) {
    Tensor w = parameter(Array{{0.5f, -1.f}, {2.f, 3.f}}, "w");
    sum(w * w).backward();  // g = 2w
    RmspropStep r = explain_rmsprop_step(w, {1, 0}, 0.9f, 1e-3f, 1e-7f, 0.01f);
    // By hand, in double: g = 4, v = 0.9·0.01 + 0.1·16 = 1.609.
    const double g = 4, v = 0.9 * 0.01 + 0.1 * 16, den = std::sqrt(v) + 1e-7, upd = 1e-3 * g / den;
    BOOST_TEST(r.g == 4.f);
    BOOST_TEST(r.w_before == 2.f);
    BOOST_TEST(r.v_before == 0.01f);
    BOOST_TEST(r.v_after == v, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(r.denominator == den, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(r.update == upd, boost::test_tools::tolerance(1e-5));
    BOOST_TEST(r.w_after == 2.0 - upd, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(w.value()(1, 0) == 2.f);  // nothing modified
    BOOST_TEST(r.text().find("sqrt(v) + eps") != std::string::npos);
    // Keras defaults, first step (v = 0): the update is lr·g/(|g|·√0.1 + eps) ≈ lr·√10·sign(g).
    RmspropStep d = explain_rmsprop_step(w, {0, 1});
    BOOST_TEST(d.lr == 1e-3f);
    BOOST_TEST(d.rho == 0.9f);
    BOOST_TEST(d.eps == 1e-7f);
    BOOST_TEST(d.update == -1e-3 * std::sqrt(10.0), boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(rmsprop_explanation_matches_optim_rmsprop) {
    // Two steps of the real optimizer (Keras defaults) against two explanations, the second
    // fed the first one's v.
    Tensor w = parameter(Array{{0.5f, -1.f, 0.25f}}, "w");
    auto loss = [&] { return sum(w * w * w); };
    loss().backward();
    RmspropStep e1 = explain_rmsprop_step(w, {0, 1});
    optim::RMSprop opt;
    opt.attach({{"w", w}});
    opt.step();
    BOOST_TEST(w.value()(0, 1) == e1.w_after, boost::test_tools::tolerance(1e-6f));
    w.zero_grad();
    loss().backward();
    RmspropStep e2 = explain_rmsprop_step(w, {0, 1}, 0.9f, 1e-3f, 1e-7f, e1.v_after);
    BOOST_TEST(e2.w_before == e1.w_after, boost::test_tools::tolerance(1e-6f));
    opt.step();
    BOOST_TEST(w.value()(0, 1) == e2.w_after, boost::test_tools::tolerance(1e-6f));
}

BOOST_AUTO_TEST_CASE(rmsprop_errors) {
    Tensor w = parameter(Array{{0.5f, -1.f}}, "w");
    BOOST_CHECK_EXCEPTION(explain_rmsprop_step(w, {0, 0}), GraphError, has_message{"(1x2 'w') has no gradient"});
    sum(w).backward();
    BOOST_CHECK_EXCEPTION(explain_rmsprop_step(w, {0, 2}), ShapeError, has_message{"index (0, 2) is not an element of (1x2 'w')"});
    BOOST_CHECK_EXCEPTION(explain_rmsprop_step(w, {0}), ShapeError, has_message{"index (0)"});
    BOOST_CHECK_EXCEPTION(explain_rmsprop_step(w, {0, 0}, 1.5f), ValueError, has_message{"rho must be in [0, 1)"});
    BOOST_CHECK_EXCEPTION(explain_rmsprop_step(w, {0, 0}, 0.9f, 1e-3f, 1e-7f, -1.f), ValueError,
                          has_message{"v_before must be >= 0"});
}

BOOST_AUTO_TEST_SUITE_END()
