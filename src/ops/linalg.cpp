// Matrix products (OpenBLAS through detail::pool_gemm: transpose flags, no copies) and transposes.
#include "xgrad/ops/linalg.hpp"

#include <numeric>
#include <xtensor/xmanipulation.hpp>

#include "ops/common.hpp"
#include "ops/gemm.hpp"

namespace xgrad {

namespace {

std::string operand(const Tensor& t, bool transposed) {
    std::string s = describe(t);
    return transposed ? s + "ᵀ" : s;
}

Tensor matmul_2d(const Tensor& a, const Tensor& b, MatmulOptions o) {
    const auto& sa = a.shape();
    const auto& sb = b.shape();
    const std::size_t m = o.transpose_a ? sa[1] : sa[0], k = o.transpose_a ? sa[0] : sa[1];
    const std::size_t k2 = o.transpose_b ? sb[1] : sb[0], n = o.transpose_b ? sb[0] : sb[1];
    if (k != k2) {
        throw ShapeError("matmul: " + operand(a, o.transpose_a) + " x " + operand(b, o.transpose_b) +
                         ": inner dimensions " + std::to_string(k) + " != " + std::to_string(k2));
    }
    Array c(Array::shape_type{m, n});
    detail::pool_gemm(a.value().data(), b.value().data(), c.data(), m, n, k, o.transpose_a, o.transpose_b);

    std::string rule = "dA = dC·Bᵀ, dB = Aᵀ·dC";
    if (o.transpose_a || o.transpose_b) rule += std::string(" (with ") + (o.transpose_a ? "Aᵀ" : "A") + "·" + (o.transpose_b ? "Bᵀ" : "B") + ")";
    return record({"matmul", rule, {{"transpose", std::string(o.transpose_a ? "T" : "N") + (o.transpose_b ? "T" : "N")}}},
                  {a, b}, std::move(c), [o](const BackwardContext& ctx) -> std::vector<Tensor> {
                      const Tensor &A = ctx.inputs[0], &B = ctx.inputs[1], &g = ctx.grad;
                      Tensor da, db;
                      if (!o.transpose_a && !o.transpose_b) {  // C = A·B
                          if (ctx.needs[0]) da = matmul(g, B, {false, true});
                          if (ctx.needs[1]) db = matmul(A, g, {true, false});
                      } else if (o.transpose_a && !o.transpose_b) {  // C = Aᵀ·B
                          if (ctx.needs[0]) da = matmul(B, g, {false, true});
                          if (ctx.needs[1]) db = matmul(A, g);
                      } else if (!o.transpose_a) {  // C = A·Bᵀ
                          if (ctx.needs[0]) da = matmul(g, B);
                          if (ctx.needs[1]) db = matmul(g, A, {true, false});
                      } else {  // C = Aᵀ·Bᵀ
                          if (ctx.needs[0]) da = matmul(B, g, {true, true});
                          if (ctx.needs[1]) db = matmul(g, A, {true, true});
                      }
                      return {da, db};
                  });
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b, MatmulOptions o) {
    if (a.ndim() == 0 || b.ndim() == 0 || a.ndim() > 2 || b.ndim() > 2) {
        throw ShapeError("matmul: " + describe(a) + " x " + describe(b) + ": operands must be 1-D or 2-D");
    }
    if (a.ndim() == 2 && b.ndim() == 2) return matmul_2d(a, b, o);
    // NumPy's rule: a 1-D left operand is a row, a 1-D right operand a column, and the added
    // axis is dropped from the result. A vector's transpose flag changes nothing.
    const bool row = a.ndim() == 1, col = b.ndim() == 1;
    Tensor a2 = row ? reshape(a, Shape{1, a.size()}) : a;
    Tensor b2 = col ? reshape(b, Shape{b.size(), 1}) : b;
    if (row) o.transpose_a = false;
    if (col) o.transpose_b = false;
    const std::size_t k = o.transpose_a ? a2.shape()[0] : a2.shape()[1];
    const std::size_t k2 = o.transpose_b ? b2.shape()[1] : b2.shape()[0];
    if (k != k2) {
        throw ShapeError("matmul: " + operand(a, o.transpose_a) + " x " + operand(b, o.transpose_b) +
                         ": inner dimensions " + std::to_string(k) + " != " + std::to_string(k2));
    }
    Tensor c = matmul_2d(a2, b2, o);
    Shape out;
    if (!row) out.push_back(c.shape()[0]);
    if (!col) out.push_back(c.shape()[1]);
    return reshape(c, out);
}

Tensor transpose(const Tensor& a) {
    std::vector<std::size_t> perm(a.ndim());
    std::iota(perm.rbegin(), perm.rend(), std::size_t{0});
    return transpose(a, perm);
}

Tensor transpose(const Tensor& a, const std::vector<std::size_t>& perm) {
    std::vector<std::size_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    bool ok = perm.size() == a.ndim();
    for (std::size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == i;
    if (!ok) {
        throw ShapeError("transpose: (" + detail::axes_str(perm) + ") is not a permutation of the axes of " + describe(a));
    }
    Array v = xt::transpose(a.value(), perm);
    std::vector<std::size_t> inverse(perm.size());
    for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = i;
    return record({"transpose", "d transpose(a)/da: transpose g back", {{"perm", detail::axes_str(perm)}}}, {a},
                  std::move(v), [inverse](const BackwardContext& c) -> std::vector<Tensor> {
                      return {transpose(c.grad, inverse)};
                  });
}

}  // namespace xgrad
