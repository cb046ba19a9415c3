#pragma once
// The bench/ops cases, shared by the xgrad runner and its LibTorch twin: each framework builds
// one forward+backward iteration of a pattern at a size, and the driver times them alternately.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace ops_bench {

/// One pattern at one size.
struct Case {
    std::string pattern;   ///< "chain", "sum_rows", "sum_cols", "bias_relu_softmax"
    std::size_t rows = 1;  ///< the input is rows x cols (chain: a flat vector of rows*cols)
    std::size_t cols = 1;
    /// Ops per iteration: the time is reported per op for the chain, per pattern otherwise.
    int ops = 1;
    std::size_t elements() const { return rows * cols; }
};

/// One forward + backward iteration, ready to run repeatedly (inputs built once).
using Iteration = std::function<void()>;

/// The pattern names and what each runs (forward, then backward with a fixed seed gradient):
///   chain              3 x (tanh, * 0.9, + x) on a flat vector: 9 elementwise ops
///   sum_rows           sum over the last axis of (rows, cols)
///   sum_cols           sum over the first axis of (rows, cols)
///   bias_relu_softmax  softmax(relu(x + b), -1) with x (rows, cols), b (cols)
std::vector<std::string> patterns();

Iteration xgrad_iteration(const Case& c);
void xgrad_threads(int n);

/// Defined in ops_torch.cpp when LibTorch was found; has_torch() says which.
bool has_torch();
Iteration torch_iteration(const Case& c);
void torch_threads(int n);

}  // namespace ops_bench
