// User-defined ops through xgrad::Function: value, gradcheck, create_graph, diagram text, and
// the checks on what a user's backward returns.
#include "helpers.hpp"
#include <xgrad/function.hpp>
#include <xgrad/viz.hpp>

using namespace xgrad;
using xgrad::test::has_message;

namespace {

// swish(x) = x·σ(x) with its own backward: d/dx = σ(x)·(1 + x·(1 − σ(x))).
struct Swish : Function {
    std::string name() const override { return "swish"; }
    std::string rule() const override { return "d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))"; }
    Array forward(const std::vector<Tensor>& in) const override { return (in[0] * sigmoid(in[0])).value(); }
    std::vector<Tensor> backward(const BackwardContext& c) const override {
        const Tensor& x = c.inputs[0];
        Tensor s = sigmoid(x);
        return {c.grad * s * (1.f + x * (1.f - s))};
    }
};

Tensor swish(const Tensor& x) { return apply(std::make_shared<Swish>(), {x}); }

// A two-input op: a·b + a (broadcasting not supported: same shapes).
struct MulAdd : Function {
    std::string name() const override { return "muladd"; }
    Array forward(const std::vector<Tensor>& in) const override { return (in[0] * in[1] + in[0]).value(); }
    std::vector<Tensor> backward(const BackwardContext& c) const override {
        return {c.needs[0] ? c.grad * (c.inputs[1] + 1.f) : Tensor(), c.needs[1] ? c.grad * c.inputs[0] : Tensor()};
    }
};

// Broken backwards, for the error messages.
struct WrongCount : Swish {
    std::vector<Tensor> backward(const BackwardContext& c) const override { return {c.grad, c.grad}; }
};
struct WrongShape : Swish {
    std::vector<Tensor> backward(const BackwardContext&) const override { return {ones({7})}; }
};
struct Missing : Swish {
    std::vector<Tensor> backward(const BackwardContext&) const override { return {Tensor()}; }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(custom_op)

BOOST_AUTO_TEST_CASE(swish_value_gradcheck_and_second_derivative) {
    Tensor x = parameter(test::mixed({3, 4}, -3, 3), "x");
    Tensor y = swish(x);
    BOOST_TEST(y.op() == "swish");
    BOOST_TEST(y.rule() == "d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))");
    BOOST_TEST(y.requires_grad());
    const Array expected = (x * sigmoid(x)).value();
    BOOST_TEST(double(xt::amax(xt::abs(y.value() - expected))()) < 1e-7);
    XGRAD_CHECK_GRAD([](const std::vector<Tensor>& in) { return swish(in[0]); }, parameter(test::mixed({2, 5}, -4, 4)));
    XGRAD_CHECK_GRAD([](const std::vector<Tensor>& in) { return apply(std::make_shared<MulAdd>(), {in[0], in[1]}); },
                     parameter(test::mixed({2, 3}, -1, 1)), parameter(test::mixed({2, 3}, -2, 2)));
    // create_graph: the backward is built from public ops, so it is differentiable too.
    Tensor p = parameter(test::mixed({5}, -2, 2));
    XGRAD_CHECK_GRAD([](const std::vector<Tensor>& in) {
        return xgrad::grad({sum(swish(in[0]))}, {in[0]}, {.create_graph = true})[0];
    }, p);
    // Only inputs that need a gradient get one; constants are fine.
    Tensor a = parameter(test::mixed({2, 3}, -1, 1)), b = constant(test::mixed({2, 3}, -1, 1));
    sum(apply(std::make_shared<MulAdd>(), {a, b})).backward();
    BOOST_TEST(a.grad().defined());
}

BOOST_AUTO_TEST_CASE(diagrams_show_the_users_op) {
    Tensor x = parameter(test::mixed({2}, -1, 1), "x");
    const std::string dot = viz::to_dot(swish(x));
    BOOST_TEST(dot.find("swish") != std::string::npos, dot);
}

BOOST_AUTO_TEST_CASE(a_wrong_backward_is_an_error_naming_the_op) {
    Tensor x = parameter(test::mixed({2, 3}, -1, 1), "x");
    BOOST_CHECK_EXCEPTION(sum(apply(std::make_shared<WrongCount>(), {x})).backward(), GraphError,
                          has_message("op 'swish': backward returned 2 gradient(s) for 1 input(s)"));
    BOOST_CHECK_EXCEPTION(sum(apply(std::make_shared<WrongShape>(), {x})).backward(), GraphError,
                          has_message("op 'swish': backward gave input 0 a gradient of shape (7) but the input is (2x3)"));
    BOOST_CHECK_EXCEPTION(sum(apply(std::make_shared<Missing>(), {x})).backward(), GraphError,
                          has_message("op 'swish': backward gave no gradient for input 0, which needs one"));
    BOOST_CHECK_EXCEPTION(apply(nullptr, {x}), ValueError, has_message("apply: null Function"));
    BOOST_CHECK_EXCEPTION(apply(std::make_shared<Swish>(), {Tensor()}), ValueError,
                          has_message("apply: input 0 of op 'swish' is undefined"));
}

BOOST_AUTO_TEST_SUITE_END()
