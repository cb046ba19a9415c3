// The smallest xgrad program: a define-by-run graph, its backward pass and the gradients.
#include <iostream>
#include <xgrad/xgrad.hpp>

#include "common/cli.hpp"

int main(int argc, char** argv) {
    CLI::App app{"The smallest xgrad program: a graph, its backward pass and the gradients.",
                 "quickstart"};
    if (auto status = xgrad::examples::parse(app, argc, argv)) return *status;
    xgrad::Tensor x = xgrad::constant(xgrad::Array{{1, 2}, {3, 4}}, "x");
    xgrad::Tensor w = xgrad::parameter(xgrad::Array{{0.1f, -0.2f}, {0.3f, 0.4f}}, "w");
    xgrad::Tensor y = xgrad::relu(xgrad::matmul(x, w) + 1.0f);
    xgrad::Tensor loss = xgrad::mean(y * y);
    loss.backward();
    std::cout << "loss = " << loss.item() << "\n";
    std::cout << "dloss/dw =\n" << w.grad().value() << "\n";
    return 0;
}
