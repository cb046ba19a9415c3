// The xgrad side of bench/ops.
#include <xgrad/xgrad.hpp>

#include "cases.hpp"

namespace ops_bench {

std::vector<std::string> patterns() { return {"chain", "sum_rows", "sum_cols", "bias_relu_softmax"}; }

void xgrad_threads(int n) { xgrad::set_num_threads(n); }

Iteration xgrad_iteration(const Case& c) {
    using namespace xgrad;
    manual_seed(1);
    if (c.pattern == "chain") {
        Tensor x = parameter(random_normal({c.elements()}));
        Tensor seed = constant(random_normal({c.elements()}));
        return [x, seed]() mutable {
            Tensor y = x;
            for (int k = 0; k < 3; ++k) y = tanh(y) * 0.9f + x;
            y.backward(seed);
            x.zero_grad();
        };
    }
    Tensor x = parameter(random_normal({c.rows, c.cols}));
    if (c.pattern == "sum_rows" || c.pattern == "sum_cols") {
        const std::ptrdiff_t axis = c.pattern == "sum_rows" ? 1 : 0;
        Tensor seed = constant(random_normal({axis == 1 ? c.rows : c.cols}));
        return [x, seed, axis]() mutable {
            sum(x, {axis}).backward(seed);
            x.zero_grad();
        };
    }
    Tensor b = parameter(random_normal({c.cols}));
    Tensor seed = constant(random_normal({c.rows, c.cols}));
    return [x, b, seed]() mutable {
        softmax(relu(x + b), -1).backward(seed);
        x.zero_grad();
        b.zero_grad();
    };
}

}  // namespace ops_bench
