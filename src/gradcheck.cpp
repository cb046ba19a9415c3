// Central finite differences against backward(). Values are float32, so sums are taken in
// double and the step scales with each element's magnitude.
#include "xgrad/gradcheck.hpp"

#include <cmath>
#include <sstream>

#include "xgrad/format.hpp"
#include "xgrad/random.hpp"

namespace xgrad {

namespace {
double project(const Array& out, const Array& weights) {
    double s = 0;
    for (std::size_t i = 0; i < out.size(); ++i) s += double(out.data()[i]) * double(weights.data()[i]);
    return s;
}
}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
    for (const auto& in : inputs) {
        if (!in.defined()) throw GraphError("gradcheck: undefined input");
        if (!in.is_leaf()) throw GraphError("gradcheck: input " + describe(in) + " must be a leaf (parameter or constant)");
    }
    for (auto in : inputs) in.zero_grad();

    Tensor out = f(inputs);
    std::mt19937_64 gen(options.seed);
    std::uniform_real_distribution<float> dist(0.5f, 1.5f);
    Array weights(out.shape());
    for (auto& w : weights) w = dist(gen) * (gen() % 2 ? 1.f : -1.f);
    if (!out.requires_grad()) throw GraphError("gradcheck: the output " + describe(out) + " does not require grad");
    out.backward(constant(weights));

    GradcheckResult result;
    result.excess = -1;  // below any real excess: the first element always becomes the worst
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        Tensor in = inputs[k];
        if (!in.requires_grad()) continue;
        Tensor g = in.grad();
        Array analytic = g.defined() ? g.value() : Array(in.shape(), 0.f);
        Array& x = in.data();
        for (std::size_t i = 0; i < x.size(); ++i) {
            const float orig = x.data()[i];
            const float h = static_cast<float>(options.eps * std::max(1.0, std::fabs(double(orig))));
            double plus, minus;
            {
                // Recording stays on: f may itself call grad() (checks of second derivatives).
                x.data()[i] = orig + h;
                const double hp = double(x.data()[i]) - orig;  // the step float can represent
                plus = project(f(inputs).value(), weights);
                x.data()[i] = orig - h;
                const double hm = orig - double(x.data()[i]);
                minus = project(f(inputs).value(), weights);
                x.data()[i] = orig;
                const double numeric = (plus - minus) / (hp + hm);
                const double a = analytic.data()[i];
                const double excess = std::fabs(a - numeric) / (options.atol + options.rtol * std::fabs(numeric));
                if (excess > result.excess) {
                    result.excess = excess;
                    result.input = k;
                    result.index = i;
                    result.analytic = a;
                    result.numeric = numeric;
                }
            }
        }
        in.zero_grad();
    }
    result.excess = std::max(result.excess, 0.0);
    result.ok = result.excess <= 1.0;
    std::ostringstream msg;
    msg << "gradcheck " << (result.ok ? "passed" : "FAILED") << ": worst element is input " << result.input << " "
        << describe(inputs.empty() ? Tensor() : inputs[result.input]) << " at flat index " << result.index
        << ": analytic " << result.analytic << ", numeric " << result.numeric << " (" << result.excess
        << " of the tolerance)";
    result.report = msg.str();
    return result;
}

}  // namespace xgrad
