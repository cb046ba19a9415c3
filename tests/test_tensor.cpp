// The Tensor handle, factories and guards.
#include "helpers.hpp"

using namespace xgrad;

BOOST_AUTO_TEST_SUITE(tensor)

BOOST_AUTO_TEST_CASE(factories_and_accessors) {
    Tensor w = parameter(Array{{1, 2}, {3, 4}}, "w");
    BOOST_TEST(w.requires_grad());
    BOOST_TEST(w.is_leaf());
    BOOST_TEST(w.label() == "w");
    BOOST_TEST(w.op() == "parameter");
    BOOST_TEST((w.shape_vector() == Shape{2, 2}));
    BOOST_TEST(w.size() == 4u);
    BOOST_TEST(!w.grad().defined());

    Tensor c = constant(Array{1, 2});
    BOOST_TEST(!c.requires_grad());
    BOOST_TEST(c.op() == "constant");
    BOOST_TEST(scalar(2.5f).item() == 2.5f);
    BOOST_TEST((zeros({2, 3}).value() == Array{{0, 0, 0}, {0, 0, 0}}));
    BOOST_TEST((ones({2}).value() == Array{1, 1}));
    BOOST_TEST((full({1, 2}, 7.f).value() == Array{{7, 7}}));
    BOOST_TEST((zeros_like(w).shape_vector() == Shape{2, 2}));
}

BOOST_AUTO_TEST_CASE(ids_increase_and_ops_are_named) {
    Tensor a = parameter(Array{1.f});
    Tensor b = constant(Array{2.f});
    Tensor c = a * b;
    BOOST_TEST(a.id() < b.id());
    BOOST_TEST(b.id() < c.id());
    BOOST_TEST(c.op() == "mul");
    BOOST_TEST(c.label() == "mul");
    BOOST_TEST(!c.is_leaf());
    BOOST_TEST(c.inputs().size() == 2u);
    BOOST_TEST(c.rule() == "d(a*b)/da = b, d(a*b)/db = a");
}

BOOST_AUTO_TEST_CASE(name_scope_labels_nodes) {
    Tensor a = parameter(Array{1.f, 2.f});
    Tensor y;
    {
        NameScope scope("dense_1");
        y = relu(a * 2.f);
        BOOST_TEST(NameScope::current() == "dense_1");
        {
            NameScope inner("inner");
            BOOST_TEST(exp(a).label() == "dense_1/inner/exp");
        }
    }
    BOOST_TEST(y.label() == "dense_1/relu");
    BOOST_TEST(y.scope() == "dense_1");
    BOOST_TEST(NameScope::current() == "");
}

BOOST_AUTO_TEST_CASE(no_grad_guard_records_nothing) {
    Tensor a = parameter(Array{1.f, 2.f});
    {
        NoGradGuard guard;
        BOOST_TEST(!grad_enabled());
        Tensor y = a * a;
        BOOST_TEST(!y.requires_grad());
        BOOST_TEST(y.inputs().empty());
        BOOST_TEST((y.value() == Array{1, 4}));
    }
    BOOST_TEST(grad_enabled());
    BOOST_TEST((a * a).requires_grad());
}

BOOST_AUTO_TEST_CASE(enable_grad_guard_records_inside_no_grad) {
    Tensor a = parameter(Array{1.f, 2.f});
    NoGradGuard off;
    {
        EnableGradGuard on;
        BOOST_TEST(grad_enabled());
        Tensor y = a * a;
        BOOST_TEST(y.requires_grad());
        BOOST_REQUIRE_EQUAL(y.inputs().size(), 2u);
        BOOST_TEST(y.inputs()[0].node() == a.node());
    }
    BOOST_TEST(!grad_enabled());
    BOOST_TEST(!(a * a).requires_grad());
}

BOOST_AUTO_TEST_CASE(constants_only_record_nothing) {
    Tensor y = constant(Array{1.f}) + constant(Array{2.f});
    BOOST_TEST(!y.requires_grad());
    BOOST_TEST(y.inputs().empty());
}

BOOST_AUTO_TEST_CASE(detach_cuts_the_graph) {
    Tensor a = parameter(Array{3.f});
    Tensor d = (a * a).detach();
    BOOST_TEST(!d.requires_grad());
    BOOST_TEST(d.is_leaf());
    BOOST_TEST(d.item() == 9.f);
}

BOOST_AUTO_TEST_CASE(data_allows_in_place_updates) {
    Tensor w = parameter(Array{1.f, 2.f});
    {
        NoGradGuard guard;
        w.data() -= 0.5f;
    }
    BOOST_TEST((w.value() == Array{0.5f, 1.5f}));
}

BOOST_AUTO_TEST_CASE(threads_setting) {
    const int before = num_threads();
    set_num_threads(1);
    BOOST_TEST(num_threads() == 1);
    set_num_threads(before);
    BOOST_CHECK_EXCEPTION(set_num_threads(0), ValueError, test::has_message("at least 1 thread"));
}

BOOST_AUTO_TEST_CASE(seed_makes_random_reproducible) {
    manual_seed(42);
    Array a = random_normal({3, 3});
    manual_seed(42);
    Array b = random_normal({3, 3});
    BOOST_TEST((a == b));
    Array u = random_uniform({1000}, -2.f, 3.f);
    BOOST_TEST(xt::amin(u)() >= -2.f);
    BOOST_TEST(xt::amax(u)() < 3.f);
}

BOOST_AUTO_TEST_SUITE_END()
