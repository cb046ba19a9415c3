// Every user error of the core names the op, the shapes and the labels.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "helpers.hpp"

using namespace xgrad;
using xgrad::test::has_message;

BOOST_AUTO_TEST_SUITE(core_errors)

BOOST_AUTO_TEST_CASE(matmul_inner_dimensions) {
    Tensor a = constant(Array(Array::shape_type{128, 784}, 0.f));
    Tensor b = parameter(Array(Array::shape_type{512, 10}, 0.f));
    BOOST_CHECK_EXCEPTION(matmul(a, b), ShapeError, has_message("matmul: (128x784) x (512x10): inner dimensions 784 != 512"));
    b.set_label("dense_1/kernel");
    BOOST_CHECK_EXCEPTION(matmul(a, b), ShapeError, has_message("(512x10 'dense_1/kernel')"));
    BOOST_CHECK_EXCEPTION(matmul(a, b, {false, true}), ShapeError, has_message("(512x10 'dense_1/kernel')ᵀ: inner dimensions 784 != 10"));
    BOOST_CHECK_EXCEPTION(matmul(constant(Array{1, 2}), constant(Array{1, 2, 3})), ShapeError,
                          has_message("inner dimensions 2 != 3"));
    BOOST_CHECK_EXCEPTION(matmul(constant(Array(Array::shape_type{2, 2, 2}, 0.f)), a), ShapeError,
                          has_message("operands must be 1-D or 2-D"));
}

BOOST_AUTO_TEST_CASE(every_binary_op_names_itself_on_mismatch) {
    Tensor a = constant(Array(Array::shape_type{3, 4}, 1.f));
    Tensor b = constant(Array(Array::shape_type{5}, 1.f));
    BOOST_CHECK_EXCEPTION(add(a, b), ShapeError, has_message("add: (3x4) + (5): shapes do not broadcast (axis 1: 4 vs 5)"));
    BOOST_CHECK_EXCEPTION(sub(a, b), ShapeError, has_message("sub: (3x4) - (5)"));
    BOOST_CHECK_EXCEPTION(mul(a, b), ShapeError, has_message("mul: (3x4) * (5)"));
    BOOST_CHECK_EXCEPTION(div(a, b), ShapeError, has_message("div: (3x4) / (5)"));
    BOOST_CHECK_EXCEPTION(pow(a, b), ShapeError, has_message("pow: (3x4) , (5)"));
    BOOST_CHECK_EXCEPTION(maximum(a, b), ShapeError, has_message("maximum: (3x4) , (5)"));
    BOOST_CHECK_EXCEPTION(minimum(a, b), ShapeError, has_message("minimum: (3x4) , (5)"));
}

BOOST_AUTO_TEST_CASE(shape_op_errors) {
    Tensor a = constant(Array(Array::shape_type{2, 3}, 1.f), "x");
    BOOST_CHECK_EXCEPTION(reshape(a, Shape{4, 2}), ShapeError,
                          has_message("reshape: cannot reshape (2x3 'x') (6 elements) to (4x2) (8 elements)"));
    BOOST_CHECK_EXCEPTION(reshape(a, {-1, 4}), ShapeError, has_message("cannot infer -1"));
    BOOST_CHECK_EXCEPTION(sum(a, {2}), ShapeError, has_message("sum: axis 2 is out of range for (2x3 'x') (rank 2)"));
    BOOST_CHECK_EXCEPTION(mean(a, {-3}), ShapeError, has_message("mean: axis -3 is out of range"));
    BOOST_CHECK_EXCEPTION(max(a, {0, 0}), ShapeError, has_message("max: repeated axis"));
    BOOST_CHECK_EXCEPTION(softmax(a, 5), ShapeError, has_message("softmax: axis 5 is out of range"));
    BOOST_CHECK_EXCEPTION(slice_rows(a, 1, 3), ShapeError, has_message("slice: range [1, 3) is outside axis 0"));
    BOOST_CHECK_EXCEPTION(broadcast_to(a, {3, 3}), ShapeError, has_message("broadcast_to: cannot broadcast (2x3 'x') to (3x3)"));
    BOOST_CHECK_EXCEPTION(concat({a, constant(Array(Array::shape_type{3, 3}, 1.f))}, 1), ShapeError,
                          has_message("concat: (2x3 'x') and (3x3) (part 1) differ outside axis 1"));
    BOOST_CHECK_EXCEPTION(transpose(a, {0, 0}), ShapeError, has_message("transpose: (0, 0) is not a permutation"));
    BOOST_CHECK_EXCEPTION(clip(a, 1.f, 0.f), ValueError, has_message("clip: lower bound"));
}

BOOST_AUTO_TEST_CASE(non_scalar_backward_needs_a_gradient) {
    Tensor w = parameter(Array{{1, 2, 3}, {4, 5, 6}}, "w");
    Tensor y = w * 2.f;
    BOOST_CHECK_EXCEPTION(y.backward(), GraphError,
                          has_message("backward: tensor (2x3 'mul') is not a scalar; pass a gradient of shape (2x3)"));
    BOOST_CHECK_EXCEPTION(y.backward(constant(Array{1, 2})), ShapeError,
                          has_message("backward: gradient (2) does not match output (2x3 'mul')"));
}

BOOST_AUTO_TEST_CASE(backward_through_a_released_graph) {
    Tensor w = parameter(Array{2.f});
    Tensor y = exp(w * w);
    y.backward();
    BOOST_CHECK_EXCEPTION(y.backward(), GraphError, has_message("was freed by an earlier backward(); pass retain_graph=true"));
}

BOOST_AUTO_TEST_CASE(backward_of_something_without_parameters) {
    Tensor c = constant(Array{1.f}) * 2.f;
    BOOST_CHECK_EXCEPTION(c.backward(), GraphError, has_message("does not require grad"));
}

BOOST_AUTO_TEST_CASE(item_on_a_non_scalar) {
    BOOST_CHECK_EXCEPTION(constant(Array{1, 2, 3}).item(), GraphError,
                          has_message("item: tensor (3) has 3 elements; item() needs exactly one"));
}

BOOST_AUTO_TEST_CASE(undefined_gradient_use) {
    Tensor w = parameter(Array{1.f}, "w");
    BOOST_CHECK_EXCEPTION(w.grad().value(), GraphError, has_message("value: undefined tensor (no gradient exists here"));
    BOOST_CHECK_EXCEPTION(Tensor().shape(), GraphError, has_message("shape: undefined tensor"));
}

BOOST_AUTO_TEST_CASE(grad_input_errors) {
    Tensor x = parameter(Array{1.f});
    Tensor z = parameter(Array{1.f}, "z");
    Tensor y = x * x;
    BOOST_CHECK_EXCEPTION(grad({y}, {z}, {.retain_graph = true}), GraphError,
                          has_message("grad: input 0 (1 'z') is not used by the outputs; pass allow_unused=true"));
    BOOST_CHECK_EXCEPTION(grad({y}, {constant(Array{1.f})}), GraphError, has_message("does not require grad"));
}

BOOST_AUTO_TEST_CASE(anomaly_guard_names_the_first_bad_op) {
    Tensor w = parameter(Array{-1.f, 1.f}, "w");
    Tensor ok = log(w);  // NaN, but detection is off: no error
    BOOST_TEST(std::isnan(ok.value()(0)));
    AnomalyGuard guard;
    NameScope scope("dense_1");
    BOOST_CHECK_EXCEPTION(log(w), ValueError,
                          has_message("anomaly: op 'log' ('dense_1/log') produced NaN at flat index 0 of its result (2) from inputs (2 'w')"));
    BOOST_CHECK_EXCEPTION(constant(Array{1.f}) / constant(Array{0.f}), ValueError, has_message("produced Inf"));
}

BOOST_AUTO_TEST_CASE(relu_keeps_nan_visible) {
    Array v = relu(constant(Array{std::nanf(""), -1.f, 2.f})).value();
    BOOST_TEST(std::isnan(v(0)));
    BOOST_TEST(v(1) == 0.f);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(core_io)

BOOST_AUTO_TEST_CASE(atomic_write_replaces_whole_and_reports_the_path) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("xgrad-io-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string path = (dir / "f.txt").string();
    write_file_atomic(path, "first version, longer");
    write_file_atomic(path, "second");
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    BOOST_TEST(text == "second");
    BOOST_TEST(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);  // no temporary left
    BOOST_CHECK_EXCEPTION(write_file_atomic((dir / "missing" / "f").string(), "x", "save_weights"), IoError,
                          has_message("save_weights: " + (dir / "missing" / "f").string() + ": cannot create"));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
