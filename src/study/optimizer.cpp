// RMSprop taken apart for one element: the arithmetic is done in float, in the same order as
// an elementwise optimizer would, so the numbers are the ones training produces.
#include "xgrad/study/optimizer.hpp"

#include <cmath>
#include <sstream>

#include "xgrad/format.hpp"

namespace xgrad::study {

RmspropStep explain_rmsprop_step(const Tensor& param, const std::vector<std::size_t>& index, float rho, float lr,
                                 float eps, float v_before) {
    if (!param.defined()) throw GraphError("explain_rmsprop_step: undefined parameter");
    const Tensor grad = param.grad();
    if (!grad.defined()) {
        throw GraphError("explain_rmsprop_step: parameter " + describe(param) +
                         " has no gradient; call backward() (or BackwardStepper::accumulate_into_leaves()) first");
    }
    const auto& shape = param.shape();
    bool ok = index.size() == shape.size();
    for (std::size_t i = 0; ok && i < index.size(); ++i) ok = index[i] < shape[i];
    if (!ok) {
        std::string idx = "(";
        for (std::size_t i = 0; i < index.size(); ++i) idx += (i ? ", " : "") + std::to_string(index[i]);
        throw ShapeError("explain_rmsprop_step: index " + idx + ") is not an element of " + describe(param));
    }
    if (!(rho >= 0.f && rho < 1.f)) throw ValueError("explain_rmsprop_step: rho must be in [0, 1), got " + std::to_string(rho));
    if (!(lr >= 0.f)) throw ValueError("explain_rmsprop_step: lr must be >= 0, got " + std::to_string(lr));
    if (!(eps >= 0.f)) throw ValueError("explain_rmsprop_step: eps must be >= 0, got " + std::to_string(eps));
    if (!(v_before >= 0.f)) throw ValueError("explain_rmsprop_step: v_before must be >= 0, got " + std::to_string(v_before));

    RmspropStep r;
    r.label = param.label();
    r.index = index;
    r.lr = lr;
    r.rho = rho;
    r.eps = eps;
    r.g = grad.value().element(index.begin(), index.end());
    r.w_before = param.value().element(index.begin(), index.end());
    r.v_before = v_before;
    r.v_after = rho * v_before + (1.f - rho) * r.g * r.g;
    r.denominator = std::sqrt(r.v_after) + eps;
    r.update = lr * r.g / r.denominator;
    r.w_after = r.w_before - r.update;
    return r;
}

std::string RmspropStep::text() const {
    std::ostringstream o;
    o.precision(6);
    std::string idx;
    for (std::size_t i = 0; i < index.size(); ++i) idx += (i ? ", " : "") + std::to_string(index[i]);
    o << "RMSprop step for '" << label << "'[" << idx << "]  (lr " << lr << ", rho " << rho << ", eps " << eps << ")\n"
      << "  g           = dL/dw                 = " << g << '\n'
      << "  v before    = running mean of g^2   = " << v_before << '\n'
      << "  v after     = rho*v + (1-rho)*g^2   = " << rho << "*" << v_before << " + " << 1.f - rho << "*" << g * g
      << " = " << v_after << '\n'
      << "  denominator = sqrt(v) + eps         = " << denominator << '\n'
      << "  update      = lr * g / denominator  = " << update << '\n'
      << "  w after     = w - update            = " << w_before << " - " << (update < 0 ? "(" : "") << update
      << (update < 0 ? ")" : "") << " = " << w_after << '\n';
    return o.str();
}

}  // namespace xgrad::study
