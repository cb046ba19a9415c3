// The engine: accumulation, released graphs, long chains, higher-order gradients.
#include "helpers.hpp"

using namespace xgrad;

BOOST_AUTO_TEST_SUITE(autograd)

BOOST_AUTO_TEST_CASE(quickstart_gradient_by_hand) {
    // y = relu(x·w + 1), loss = mean(y²); dloss/dw = xᵀ·(2y/n · [pre > 0]).
    Tensor x = constant(Array{{1, 2}, {3, 4}});
    Tensor w = parameter(Array{{0.1f, -0.2f}, {0.3f, 0.4f}});
    Tensor pre = matmul(x, w) + 1.0f;
    Tensor y = relu(pre);
    mean(y * y).backward();
    Array dy = 2.f * y.value() / 4.f * xt::where(pre.value() > 0.f, 1.f, 0.f);
    Array expected = xt::zeros<float>({2, 2});
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            for (int k = 0; k < 2; ++k) expected(i, j) += x.value()(k, i) * dy(k, j);
    BOOST_TEST(xt::allclose(w.grad().value(), expected));
}

BOOST_AUTO_TEST_CASE(tensor_used_twice_accumulates) {
    Tensor a = parameter(Array{3.f});
    (a * a + a).backward();  // d/da = 2a + 1
    BOOST_TEST(a.grad().item() == 7.f);
}

BOOST_AUTO_TEST_CASE(leaves_accumulate_across_backward_calls) {
    Tensor a = parameter(Array{2.f});
    (a * 3.f).backward();
    (a * 3.f).backward();
    BOOST_TEST(a.grad().item() == 6.f);
    a.zero_grad();
    BOOST_TEST(!a.grad().defined());
}

BOOST_AUTO_TEST_CASE(intermediates_keep_no_gradient_unless_asked) {
    Tensor a = parameter(Array{2.f});
    Tensor b = a * 3.f;
    Tensor c = b * b;
    Tensor kept = (a * 5.f).retain_grad();
    (c + kept).backward(true);
    BOOST_TEST(!b.grad().defined());
    BOOST_TEST(kept.grad().item() == 1.f);
    // A second backward with a retained graph adds to leaves, never doubles intermediates twice.
    (c + kept).backward();
    BOOST_TEST(kept.grad().item() == 2.f);
    BOOST_TEST(a.grad().item() == 2.f * (2 * 3 * 6 + 5));
}

BOOST_AUTO_TEST_CASE(no_gradient_for_constant_inputs) {
    // The closure receives needs[i] == false for the images: no gradient is computed for them.
    Tensor x = constant(Array{{1, 2}});
    Tensor w = parameter(test::column({1, 1}));
    bool asked_for_x = true;
    Tensor y = record({"probe", ""}, {x, w}, Array(matmul(x, w).value()),
                      [&](const BackwardContext& c) -> std::vector<Tensor> {
                          asked_for_x = c.needs[0];
                          return {Tensor(), matmul(c.inputs[0], c.grad, {true, false})};
                      });
    sum(y).backward();
    BOOST_TEST(!asked_for_x);
    BOOST_TEST(!x.grad().defined());
    BOOST_TEST((w.grad().value() == test::column({1, 2})));
}

BOOST_AUTO_TEST_CASE(explicit_seed_gradient) {
    Tensor a = parameter(Array{1, 2, 3});
    (a * 2.f).backward(constant(Array{1, 0, -1}));
    BOOST_TEST((a.grad().value() == Array{2, 0, -2}));
}

BOOST_AUTO_TEST_CASE(million_node_chain_backward_and_teardown) {
    // Topological order, backward and destruction must all be iterative.
    Tensor a = parameter(Array{1.f});
    Tensor t = a;
    for (int i = 0; i < 1'000'000; ++i) t = t + 0.0f;
    t.backward();
    BOOST_TEST(a.grad().item() == 1.f);
    t = Tensor();  // drops the whole chain here
    BOOST_TEST(a.defined());
}

BOOST_AUTO_TEST_CASE(stepwise_engine_matches_backward) {
    Tensor x = constant(Array{{0.5f, -1.f}, {2.f, 0.25f}});
    Tensor w = parameter(Array{{0.3f, -0.7f}, {0.2f, 0.9f}});
    Tensor b = parameter(Array{0.1f, -0.1f});
    Tensor loss = mean(square(tanh(matmul(x, w) + b)));
    BackwardEngine engine({loss}, {ones_like(loss)}, {true, false, false});
    std::size_t steps = 0;
    while (!engine.done()) {
        BackwardStep s = engine.step();
        BOOST_TEST(s.grad_output.shape() == s.node.shape());
        ++steps;
    }
    BOOST_TEST(steps == engine.order().size());
    Tensor gw = engine.gradient(w);
    loss.backward();
    BOOST_TEST(xt::allclose(gw.value(), w.grad().value()));
    BOOST_TEST(!w.grad().grad().defined());
}

BOOST_AUTO_TEST_CASE(accumulation_is_reported) {
    Tensor a = parameter(Array{3.f});
    Tensor y = a * a;
    BackwardEngine engine({y}, {ones_like(y)}, {});
    BackwardStep s = engine.step();
    BOOST_TEST(s.accumulated[0] == false);
    BOOST_TEST(s.accumulated[1] == true);  // the second use of a adds (+=) to the first
    BOOST_TEST(a.grad().item() == 6.f);
}

BOOST_AUTO_TEST_CASE(a_reachable_node_that_no_gradient_reaches) {
    // where's condition depends on x, but where passes no gradient to its condition: relu(x)
    // is in the graph and gets none. The engine steps it with a zero gradient and goes on.
    Tensor x = parameter(Array{1.f, -2.f, 3.f});
    Tensor a = parameter(Array{10.f, 20.f, 30.f});
    Tensor y = sum(where(relu(x), a * 2.f, constant(Array{0.f, 0.f, 0.f})));
    BackwardEngine engine({y}, {ones_like(y)}, {});
    bool zero_step = false;
    while (!engine.done()) {
        BackwardStep s = engine.step();
        if (s.node.label() == "relu") {
            zero_step = true;
            BOOST_TEST(xt::all(xt::equal(s.grad_output.value(), 0.f)));
            BOOST_TEST(!s.input_grads[0].defined());
        }
    }
    BOOST_TEST(zero_step);
    BOOST_TEST((a.grad().value() == Array{2.f, 0.f, 2.f}));
    BOOST_TEST(!x.grad().defined());
    Tensor z = sum(where(relu(x), a, a * 0.f));
    BOOST_TEST(!grad({z}, {a, x}, {.allow_unused = true})[1].defined());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(higher_order)

BOOST_AUTO_TEST_CASE(second_derivative_of_cube) {
    Tensor x = parameter(Array{2.f});
    Tensor y = x * x * x;
    Tensor dy = grad({y}, {x}, {.create_graph = true})[0];
    BOOST_TEST(dy.item() == 12.f);  // 3x²
    BOOST_TEST(dy.requires_grad());
    Tensor d2y = grad({dy}, {x})[0];
    BOOST_TEST(d2y.item() == 12.f);  // 6x
    BOOST_TEST(!x.grad().defined());  // grad() leaves grad() alone
}

BOOST_AUTO_TEST_CASE(hessian_vector_product) {
    // f(x) = ½ xᵀAx with symmetric A: ∇f = Ax, and the Hessian-vector product H·v = A·v.
    Array A = {{2, 1, 0}, {1, 3, 1}, {0, 1, 4}};
    Tensor a = constant(A);
    Tensor x = parameter(Array{1, -1, 2});
    Tensor f = 0.5f * sum(x * matmul(a, x));
    Tensor g = grad({f}, {x}, {.create_graph = true})[0];
    BOOST_TEST(xt::allclose(g.value(), Array{1, 0, 7}));
    Tensor v = constant(Array{1, 2, 3});
    Tensor hv = grad({sum(g * v)}, {x})[0];
    BOOST_TEST(xt::allclose(hv.value(), Array{4, 10, 14}));
}

BOOST_AUTO_TEST_CASE(second_order_of_softmax_and_matmul_is_finite_difference_exact) {
    // d/dw of (d loss/dw · u) checked by finite differences on the first gradient.
    Tensor x = constant(test::mixed({3, 2}, -1, 1));
    Tensor u = constant(test::mixed({2, 3}, -0.5f, 0.5f));
    auto first = [&](const std::vector<Tensor>& v) {
        Tensor loss = sum(log_softmax(matmul(x, v[0])) * constant(test::mixed({3, 3}, -1, 1)));
        return sum(grad({loss}, {v[0]}, {.create_graph = true})[0] * u);
    };
    XGRAD_CHECK_GRAD(first, parameter(test::mixed({2, 3}, -0.7f, 0.8f)));
}

BOOST_AUTO_TEST_CASE(second_order_through_relu_and_broadcast_add) {
    // relu's backward is its own op (relu_backward): its gradient must be right too.
    Tensor b = constant(test::mixed({3}, -0.3f, 0.4f));
    auto first = [&](const std::vector<Tensor>& v) {
        Tensor h = relu(v[0] + b);
        return grad({sum(h * h * h)}, {v[0]}, {.create_graph = true})[0];
    };
    XGRAD_CHECK_GRAD(first, parameter(test::mixed({2, 3}, -1.1f, 0.9f)));
}

BOOST_AUTO_TEST_CASE(intermediate_inputs_and_unused) {
    Tensor x = parameter(Array{2.f});
    Tensor h = x * 3.f;
    Tensor y = h * h;
    auto g = grad({y}, {h, x}, {.retain_graph = true});
    BOOST_TEST(g[0].item() == 12.f);
    BOOST_TEST(g[1].item() == 36.f);
    Tensor kept = (x * 2.f).retain_grad();
    grad({kept * kept}, {x});
    BOOST_TEST(!kept.grad().defined());  // grad() does not store into retained intermediates
    Tensor z = parameter(Array{1.f});
    auto unused = grad({y}, {z}, {.retain_graph = true, .allow_unused = true});
    BOOST_TEST(!unused[0].defined());
}

BOOST_AUTO_TEST_SUITE_END()
