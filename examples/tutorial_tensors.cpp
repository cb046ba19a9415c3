// Tutorial, section 1: tensors, element-wise operations, broadcasting, tensor product, reshaping
// (Deep Learning with Python, chapter 2, "Data representations" and "Tensor operations").
#include <iostream>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

using namespace xgrad;

namespace {
void show(const std::string& name, const Tensor& t) {
    std::cout << name << ": ndim " << t.ndim() << ", shape " << shape_str(t.shape()) << "\n" << t.value() << "\n\n";
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Tutorial, section 1: tensors, element-wise operations, broadcasting, tensor product, reshaping.",
                 "tutorial_tensors"};
    if (auto status = examples::parse(app, argc, argv)) return *status;
    // Rank 0, 1, 2 and 3 tensors.
    show("scalar", constant(Array(12.f)));
    show("vector", constant(Array{12.f, 3.f, 6.f, 14.f, 7.f}));
    show("matrix", constant(Array{{5.f, 78.f, 2.f}, {6.f, 79.f, 3.f}}));
    show("rank-3 tensor", constant(Array{{{5.f, 78.f}, {6.f, 79.f}}, {{7.f, 80.f}, {8.f, 81.f}}}));

    // Element-wise: relu and addition work on each entry independently.
    Tensor x = constant(Array{{1.f, -2.f, 3.f}, {-4.f, 5.f, -6.f}}, "x");
    show("relu(x)", relu(x));
    show("x + x", x + x);

    // Broadcasting: y (3) is repeated along a new first axis to match x (2x3).
    Tensor y = constant(Array{10.f, 20.f, 30.f}, "y");
    show("x + y  (y broadcast over the rows)", x + y);
    show("maximum(x, 0.5)", maximum(x, scalar(0.5f)));

    // Tensor product: dot of vectors, matrix-vector, matrix-matrix.
    Tensor v = constant(Array{1.f, 2.f, 3.f}, "v");
    show("dot(v, v)", matmul(v, v));
    show("dot(x, v)  (2x3)·(3) -> (2)", matmul(x, v));
    show("dot(x, transpose(x))  (2x3)·(3x2) -> (2x2)", matmul(x, transpose(x)));

    // Reshaping keeps the entries in order; transposition swaps rows and columns.
    show("reshape(x, {3, 2})", reshape(x, Shape{3, 2}));
    show("reshape(x, {6, 1})", reshape(x, Shape{6, 1}));
    show("transpose(x)", transpose(x));
    return 0;
}
