#pragma once
/// @file linalg.hpp
/// Matrix products (OpenBLAS sgemm through xtensor-blas) and transposition.

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Transpose flags for matmul: the product is op(A)·op(B) without copying A or B.
struct MatmulOptions {
    bool transpose_a = false;  ///< use Aᵀ
    bool transpose_b = false;  ///< use Bᵀ
};

/// Matrix product with NumPy's rules for 1-D operands (a 1-D left operand is a row, a 1-D
/// right operand a column; the added axis is removed from the result).
/// C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC.
Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions options = {});
/// Reverses the axes (2-D: the matrix transpose).  da = transpose(g)
Tensor transpose(const Tensor& a);
/// Permutes the axes: result axis i is input axis perm[i].  da = transpose(g, inverse(perm))
Tensor transpose(const Tensor& a, const std::vector<std::size_t>& perm);

}  // namespace xgrad
