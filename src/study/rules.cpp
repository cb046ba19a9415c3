// Concrete chain-rule formulas per step: the op's generic rule with the names, shapes and
// broadcast axes of this particular node filled in.
#include <string>

#include "xgrad/format.hpp"
#include "xgrad/study/stepper.hpp"
#include "study/rule_text.hpp"

namespace xgrad::study {

namespace {

Shape shape_of(const Tensor& t) { return t.shape_vector(); }

Shape transposed(Shape s) {
    if (s.size() == 2) std::swap(s[0], s[1]);
    return s;
}

using detail::attr;
using detail::broadcast_axes;
using detail::join_axes;

// "expr" or, when the input was broadcast, "sum over axis 0 of expr".
std::string unbroadcast(const std::string& expr, const Shape& in, const Shape& out) {
    std::vector<std::size_t> axes = broadcast_axes(in, out);
    if (axes.empty()) return expr;
    const bool simple = expr.find(' ') == std::string::npos;
    return std::string("sum over ") + (axes.size() == 1 ? "axis " : "axes ") + join_axes(axes) + " of " +
           (simple ? expr : "(" + expr + ")");
}

std::string binary(const Tensor& node, std::size_t i) {
    const std::string& op = node.op();
    const char* name = i == 0 ? "a" : "b";
    std::string expr;
    if (op == "add") expr = "dC";
    else if (op == "sub") expr = i == 0 ? "dC" : "-dC";
    else if (op == "mul") expr = i == 0 ? "dC ⊙ b" : "dC ⊙ a";
    else if (op == "div") expr = i == 0 ? "dC / b" : "-dC ⊙ a / b²";
    else if (op == "pow") expr = i == 0 ? "dC ⊙ b·a^(b-1)" : "dC ⊙ a^b·ln(a)";
    else if (op == "maximum") expr = i == 0 ? "dC ⊙ [a > b]" : "dC ⊙ [b > a]";
    else if (op == "minimum") expr = i == 0 ? "dC ⊙ [a < b]" : "dC ⊙ [b < a]";
    const Shape in = shape_of(node.inputs()[i]), out = shape_of(node);
    std::string s = std::string("d") + name + " = " + unbroadcast(expr, in, out);
    if (in != out) return s + " : dC " + shape_str(out) + " → " + shape_str(in);
    return s + " : " + shape_str(in);
}

std::string matmul(const Tensor& node, std::size_t i) {
    // C = op(A)·op(B) with op = transpose where the "transpose" attribute says T.
    const auto [ta, tb] = detail::matmul_transposes(node);
    const std::vector<Tensor> in = node.inputs();
    const Shape a = shape_of(in[0]), b = shape_of(in[1]), c = shape_of(node);
    // Each formula names its two factors and whether they appear transposed.
    struct Product {
        const char* text;
        Shape left, right;
    };
    Product p;
    if (i == 0) {
        if (!ta && !tb) p = {"dA = dC · Bᵀ", c, transposed(b)};
        else if (ta && !tb) p = {"dA = B · dCᵀ", b, transposed(c)};
        else if (!ta) p = {"dA = dC · B", c, b};
        else p = {"dA = Bᵀ · dCᵀ", transposed(b), transposed(c)};
    } else {
        if (!ta && !tb) p = {"dB = Aᵀ · dC", transposed(a), c};
        else if (ta && !tb) p = {"dB = A · dC", a, c};
        else if (!ta) p = {"dB = dCᵀ · A", transposed(c), a};
        else p = {"dB = dCᵀ · Aᵀ", transposed(c), transposed(a)};
    }
    return std::string(p.text) + " : " + shape_str(i == 0 ? a : b) + " = " + shape_str(p.left) + "·" +
           shape_str(p.right);
}

std::string unary(const Tensor& node) {
    const std::string& op = node.op();
    const Shape in = shape_of(node.inputs()[0]), out = shape_of(node);
    const std::string s_in = shape_str(in);
    if (op == "relu") return "da = dC ⊙ [a > 0] : " + s_in;
    if (op == "sigmoid") return "da = dC ⊙ σ(a)·(1 - σ(a)) : " + s_in;
    if (op == "tanh") return "da = dC ⊙ (1 - tanh(a)²) : " + s_in;
    if (op == "exp") return "da = dC ⊙ e^a : " + s_in;
    if (op == "log") return "da = dC / a : " + s_in;
    if (op == "sqrt") return "da = dC / (2√a) : " + s_in;
    if (op == "square") return "da = dC ⊙ 2a : " + s_in;
    if (op == "abs") return "da = dC ⊙ sign(a) : " + s_in;
    if (op == "neg") return "da = -dC : " + s_in;
    if (op == "clip") return "da = dC ⊙ [lo < a < hi], [lo, hi] = " + attr(node, "range") + " : " + s_in;
    if (op == "pow") return "da = dC ⊙ p·a^(p-1), p = " + attr(node, "p") + " : " + s_in;
    if (op == "softmax") return "da = s ⊙ (dC - Σ_row dC ⊙ s), s = softmax(a) : " + s_in;
    if (op == "log_softmax") return "da = dC - softmax(a) ⊙ Σ_row dC : " + s_in;
    if (op == "sum") return "da = dC broadcast back over axes " + attr(node, "axes") + " : " + shape_str(out) + " → " + s_in;
    if (op == "mean") {
        const std::size_t n = node.size() ? node.inputs()[0].size() / node.size() : 0;
        return "da = dC / " + std::to_string(n) + " broadcast back over axes " + attr(node, "axes") + " : " +
               shape_str(out) + " → " + s_in;
    }
    if (op == "max") return "da = dC at the maxima (split among ties), 0 elsewhere : " + shape_str(out) + " → " + s_in;
    if (op == "reshape") return "da = reshape(dC, " + s_in + ") : " + shape_str(out) + " → " + s_in;
    if (op == "transpose") return "da = transpose(dC) back (perm " + attr(node, "perm") + ") : " + shape_str(out) + " → " + s_in;
    if (op == "broadcast_to") return "da = " + unbroadcast("dC", in, out) + " : " + shape_str(out) + " → " + s_in;
    if (op == "sum_to") return "da = dC broadcast back to " + s_in + " : " + shape_str(out) + " → " + s_in;
    return "";
}

}  // namespace

std::string concrete_rule(const Tensor& node, std::size_t input) {
    if (!node.defined()) throw GraphError("concrete_rule: undefined tensor");
    const std::vector<Tensor> inputs = node.inputs();
    if (input >= inputs.size()) {
        throw GraphError("concrete_rule: node '" + node.label() + "' (op " + node.op() + ") has " +
                         std::to_string(inputs.size()) + " inputs, asked for input " + std::to_string(input));
    }
    const std::string& op = node.op();
    std::string s;
    if (op == "matmul" && inputs.size() == 2) s = matmul(node, input);
    else if (inputs.size() == 2 && (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "pow" ||
                                    op == "maximum" || op == "minimum"))
        s = binary(node, input);
    else if (inputs.size() == 1) s = unary(node);
    if (!s.empty()) return s;
    // An op this file does not know (slice, concat, a user's custom op): its own rule text.
    return node.rule() + " : dC " + shape_str(node.shape()) + " → input " + std::to_string(input) + " " +
           shape_str(inputs[input].shape());
}

}  // namespace xgrad::study
