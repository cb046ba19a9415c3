// The LibTorch twin of bench/ops: the same patterns with torch::Tensor and autograd.
#include <torch/torch.h>

#include "cases.hpp"

namespace ops_bench {

bool has_torch() { return true; }

void torch_threads(int n) { torch::set_num_threads(n); }

Iteration torch_iteration(const Case& c) {
    torch::manual_seed(1);
    const auto rows = static_cast<std::int64_t>(c.rows), cols = static_cast<std::int64_t>(c.cols);
    if (c.pattern == "chain") {
        torch::Tensor x = torch::randn({rows * cols}, torch::requires_grad());
        torch::Tensor seed = torch::randn({rows * cols});
        return [x, seed]() mutable {
            torch::Tensor y = x;
            for (int k = 0; k < 3; ++k) y = torch::tanh(y) * 0.9f + x;
            y.backward(seed);
            x.mutable_grad() = torch::Tensor();
        };
    }
    torch::Tensor x = torch::randn({rows, cols}, torch::requires_grad());
    if (c.pattern == "sum_rows" || c.pattern == "sum_cols") {
        const std::int64_t axis = c.pattern == "sum_rows" ? 1 : 0;
        torch::Tensor seed = torch::randn({axis == 1 ? rows : cols});
        return [x, seed, axis]() mutable {
            x.sum(axis).backward(seed);
            x.mutable_grad() = torch::Tensor();
        };
    }
    torch::Tensor b = torch::randn({cols}, torch::requires_grad());
    torch::Tensor seed = torch::randn({rows, cols});
    return [x, b, seed]() mutable {
        torch::softmax(torch::relu(x + b), -1).backward(seed);
        x.mutable_grad() = torch::Tensor();
        b.mutable_grad() = torch::Tensor();
    };
}

}  // namespace ops_bench
