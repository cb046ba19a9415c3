// Elementwise ops: forward value, then the backward rule, side by side.
#include "xgrad/ops/elementwise.hpp"

#include <charconv>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "ops/common.hpp"
#include "ops/map.hpp"

namespace xgrad {

using detail::grad_for;

namespace {

// "[lo, hi]" with each bound in the shortest text that reads back as exactly it ("0.1",
// "0.33333334", "-inf"): readable on diagrams, and exact for the traced ONNX export, which
// parses it. Appended piece by piece: GCC 12 warns (-Wstringop-overflow) on `"[" + s + ...`.
std::string range_text(float lo, float hi) {
    char text[64];
    char* p = text;
    *p++ = '[';
    p = std::to_chars(p, text + 30, lo).ptr;
    *p++ = ',';
    *p++ = ' ';
    p = std::to_chars(p, text + 60, hi).ptr;
    *p++ = ']';
    return std::string(text, static_cast<std::size_t>(p - text));
}

const char* symbol(const char* op) {
    std::string s = op;
    if (s == "add") return "+";
    if (s == "sub") return "-";
    if (s == "mul") return "*";
    if (s == "div") return "/";
    return ",";
}

// Forward of a binary elementwise op: shapes checked (the error names the op), then one pass.
template <class F>
Array binary_value(const char* op, const Tensor& a, const Tensor& b, F f) {
    broadcast_shapes(op, a, b);
    return detail::map_binary(a.value(), b.value(), f);
}

}  // namespace

Shape broadcast_shapes(const char* op, const Tensor& a, const Tensor& b) {
    const auto& sa = a.shape();
    const auto& sb = b.shape();
    const std::size_t n = std::max(sa.size(), sb.size());
    Shape out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t da = i < n - sa.size() ? 1 : sa[i - (n - sa.size())];
        const std::size_t db = i < n - sb.size() ? 1 : sb[i - (n - sb.size())];
        if (da != db && da != 1 && db != 1) {
            throw ShapeError(std::string(op) + ": " + describe(a) + " " + symbol(op) + " " + describe(b) +
                             ": shapes do not broadcast (axis " + std::to_string(i) + ": " +
                             std::to_string(da) + " vs " + std::to_string(db) + ")");
        }
        out[i] = std::max(da, db);
    }
    return out;
}

Tensor add(const Tensor& a, const Tensor& b) {
    Array v = binary_value("add", a, b, [](float x, float y) { return x + y; });
    return record({"add", "d(a+b)/da = 1, d(a+b)/db = 1"}, {a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {grad_for(c, 0, c.grad), grad_for(c, 1, c.grad)};
                  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
    Array v = binary_value("sub", a, b, [](float x, float y) { return x - y; });
    return record({"sub", "d(a-b)/da = 1, d(a-b)/db = -1"}, {a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {grad_for(c, 0, c.grad), c.needs[1] ? grad_for(c, 1, neg(c.grad)) : Tensor()};
                  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
    Array v = binary_value("mul", a, b, [](float x, float y) { return x * y; });
    return record({"mul", "d(a*b)/da = b, d(a*b)/db = a"}, {a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &a = c.inputs[0], &b = c.inputs[1];
                      return {c.needs[0] ? grad_for(c, 0, c.grad * b) : Tensor(),
                              c.needs[1] ? grad_for(c, 1, c.grad * a) : Tensor()};
                  });
}

Tensor div(const Tensor& a, const Tensor& b) {
    Array v = binary_value("div", a, b, [](float x, float y) { return x / y; });
    return record({"div", "d(a/b)/da = 1/b, d(a/b)/db = -a/b²"}, {a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &b = c.inputs[1], &out = c.output;
                      return {c.needs[0] ? grad_for(c, 0, c.grad / b) : Tensor(),
                              c.needs[1] ? grad_for(c, 1, neg(c.grad * out / b)) : Tensor()};
                  });
}

Tensor pow(const Tensor& a, const Tensor& b) {
    Array v = binary_value("pow", a, b, [](float x, float y) { return std::pow(x, y); });
    return record({"pow", "d(a^b)/da = b·a^(b-1), d(a^b)/db = a^b·ln(a)"}, {a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &a = c.inputs[0], &b = c.inputs[1];
                      return {c.needs[0] ? grad_for(c, 0, c.grad * b * pow(a, b - 1.f)) : Tensor(),
                              c.needs[1] ? grad_for(c, 1, c.grad * c.output * log(a)) : Tensor()};
                  });
}

Tensor pow(const Tensor& a, float p) {
    Array v = xt::pow(a.value(), p);
    return record({"pow", "d(a^p)/da = p·a^(p-1)", {{"p", summarize(Array(p))}}}, {a}, std::move(v),
                  [p](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.grad * (p * pow(c.inputs[0], p - 1.f))};
                  });
}

namespace {
// Shared by maximum and minimum: the winner takes the gradient, ties split it.
Tensor extremum(const char* op, const Tensor& a, const Tensor& b, bool take_max) {
    Array v = take_max ? binary_value(op, a, b, [](float x, float y) { return x < y ? y : x; })
                       : binary_value(op, a, b, [](float x, float y) { return y < x ? y : x; });
    std::string rule = take_max ? "d max(a,b)/da = [a > b] (+½ on ties)" : "d min(a,b)/da = [a < b] (+½ on ties)";
    return record({op, rule}, {a, b}, std::move(v), [take_max](const BackwardContext& c) -> std::vector<Tensor> {
        // a's share of the gradient, at the broadcast shape: 1 where a wins, ½ on ties.
        Array x = xt::broadcast(c.inputs[0].value(), c.output.shape());
        Array y = xt::broadcast(c.inputs[1].value(), c.output.shape());
        Array wa(c.output.shape());
        for (std::size_t i = 0; i < wa.size(); ++i) {
            const float a = x.data()[i], b = y.data()[i];
            wa.data()[i] = a == b ? 0.5f : ((take_max ? a > b : a < b) ? 1.f : 0.f);
        }
        Tensor ma = constant(std::move(wa));
        return {c.needs[0] ? grad_for(c, 0, c.grad * ma) : Tensor(),
                c.needs[1] ? grad_for(c, 1, c.grad * (1.f - ma)) : Tensor()};
    });
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum("maximum", a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum("minimum", a, b, false); }

Tensor neg(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return -x; });
    return record({"neg", "d(-a)/da = -1"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> { return {neg(c.grad)}; });
}

Tensor exp(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return xsimd::exp(x); });
    return record({"exp", "d(e^a)/da = e^a"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad * c.output}; });
}

Tensor log(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return xsimd::log(x); });
    return record({"log", "d(ln a)/da = 1/a"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad / c.inputs[0]}; });
}

Tensor sqrt(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return xsimd::sqrt(x); });
    return record({"sqrt", "d(√a)/da = 1/(2√a)"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad / (2.f * c.output)}; });
}

Tensor square(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return x * x; });
    return record({"square", "d(a²)/da = 2a"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad * (2.f * c.inputs[0])}; });
}

Tensor abs(const Tensor& a) {
    Array v = detail::map_unary(a.value(), [](auto x) { return xsimd::abs(x); });
    return record({"abs", "d|a|/da = sign(a)"}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.grad * constant(Array(xt::sign(c.inputs[0].value())))};
                  });
}

Tensor clip(const Tensor& a, float lo, float hi) {
    if (!(lo <= hi)) {
        throw ValueError("clip: lower bound " + std::to_string(lo) + " is above upper bound " + std::to_string(hi));
    }
    Array v = xt::clip(a.value(), lo, hi);
    return record({"clip", "d clip(a)/da = [lo < a < hi]", {{"range", range_text(lo, hi)}}}, {a}, std::move(v),
                  [lo, hi](const BackwardContext& c) -> std::vector<Tensor> {
                      const Array& x = c.inputs[0].value();
                      Array inside = xt::where(x > lo && x < hi, 1.f, 0.f);
                      return {c.grad * constant(std::move(inside))};
                  });
}

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, float b) { return add(a, scalar(b)); }
Tensor operator+(float a, const Tensor& b) { return add(scalar(a), b); }
Tensor operator-(const Tensor& a, float b) { return sub(a, scalar(b)); }
Tensor operator-(float a, const Tensor& b) { return sub(scalar(a), b); }
Tensor operator*(const Tensor& a, float b) { return mul(a, scalar(b)); }
Tensor operator*(float a, const Tensor& b) { return mul(scalar(a), b); }
Tensor operator/(const Tensor& a, float b) { return div(a, scalar(b)); }
Tensor operator/(float a, const Tensor& b) { return div(scalar(a), b); }

}  // namespace xgrad
