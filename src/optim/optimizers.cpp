// The update rules. Each is one raw loop over the parameter's elements: no temporaries, one
// pass over memory (this runs on every training step).
#include <cmath>

#include "xgrad/optim/optimizers.hpp"

namespace xgrad::optim {

namespace {
void check_rate(const char* who, const char* what, float v, float lo, float hi) {
    if (!(v >= lo && v <= hi)) {
        throw ValueError(std::string(who) + ": " + what + " must be in [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "], got " + std::to_string(v));
    }
}
constexpr float kInf = 3.0e38f;
}  // namespace

RMSprop::RMSprop(RMSpropOptions options) : options_(options) {
    check_rate("RMSprop", "learning_rate", options_.learning_rate, 0.f, kInf);
    check_rate("RMSprop", "rho", options_.rho, 0.f, 1.f);
    check_rate("RMSprop", "momentum", options_.momentum, 0.f, 1.f);
    check_rate("RMSprop", "epsilon", options_.epsilon, 0.f, kInf);
}

std::vector<std::string> RMSprop::slot_names() const {
    std::vector<std::string> s{"rms"};
    if (options_.momentum > 0.f) s.push_back("momentum");
    if (options_.centered) s.push_back("mg");
    return s;
}

void RMSprop::update(Array& w_arr, const Array& g_arr, std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    float* v = slots[0].data();
    const float lr = options_.learning_rate, rho = options_.rho, eps = options_.epsilon;
    const float one_minus_rho = 1.f - rho;
    if (options_.momentum == 0.f && !options_.centered) {
        // The MNIST hot path: one pass, no branches inside.
        if (options_.eps_inside_sqrt) {
            for (std::size_t i = 0; i < n; ++i) {
                const float vi = rho * v[i] + one_minus_rho * g[i] * g[i];
                v[i] = vi;
                w[i] -= lr * g[i] / std::sqrt(vi + eps);
            }
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const float vi = rho * v[i] + one_minus_rho * g[i] * g[i];
                v[i] = vi;
                w[i] -= lr * g[i] / (std::sqrt(vi) + eps);
            }
        }
        return;
    }
    std::size_t k = 1;
    float* mom = options_.momentum > 0.f ? slots[k++].data() : nullptr;
    float* mg = options_.centered ? slots[k++].data() : nullptr;
    const float momentum = options_.momentum;
    for (std::size_t i = 0; i < n; ++i) {
        const float vi = rho * v[i] + one_minus_rho * g[i] * g[i];
        v[i] = vi;
        float d = vi;
        if (mg) {
            mg[i] = rho * mg[i] + one_minus_rho * g[i];
            d = vi - mg[i] * mg[i];
        }
        const float s = options_.eps_inside_sqrt ? lr * g[i] / std::sqrt(d + eps) : lr * g[i] / (std::sqrt(d) + eps);
        if (mom) {
            mom[i] = momentum * mom[i] + s;
            w[i] -= mom[i];
        } else {
            w[i] -= s;
        }
    }
}

SGD::SGD(SGDOptions options) : options_(options) {
    check_rate("SGD", "learning_rate", options_.learning_rate, 0.f, kInf);
    check_rate("SGD", "momentum", options_.momentum, 0.f, 1.f);
}

std::vector<std::string> SGD::slot_names() const {
    if (options_.momentum > 0.f) return {"momentum"};
    return {};
}

void SGD::update(Array& w_arr, const Array& g_arr, std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    const float lr = options_.learning_rate, m = options_.momentum;
    if (slots.empty()) {
        for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        return;
    }
    float* u = slots[0].data();
    for (std::size_t i = 0; i < n; ++i) {
        u[i] = m * u[i] - lr * g[i];
        w[i] += options_.nesterov ? m * u[i] - lr * g[i] : u[i];
    }
}

Adam::Adam(AdamOptions options) : options_(options) {
    check_rate("Adam", "learning_rate", options_.learning_rate, 0.f, kInf);
    check_rate("Adam", "beta_1", options_.beta_1, 0.f, 1.f);
    check_rate("Adam", "beta_2", options_.beta_2, 0.f, 1.f);
    check_rate("Adam", "epsilon", options_.epsilon, 0.f, kInf);
}

std::vector<std::string> Adam::slot_names() const { return {"m", "v"}; }

void Adam::update(Array& w_arr, const Array& g_arr, std::vector<Array>& slots) {
    const std::size_t n = w_arr.size();
    float* w = w_arr.data();
    const float* g = g_arr.data();
    float* m = slots[0].data();
    float* v = slots[1].data();
    const double t = double(iterations());
    const float b1 = options_.beta_1, b2 = options_.beta_2, eps = options_.epsilon;
    const float lr_t = float(options_.learning_rate * std::sqrt(1.0 - std::pow(double(b2), t)) /
                             (1.0 - std::pow(double(b1), t)));
    for (std::size_t i = 0; i < n; ++i) {
        m[i] = b1 * m[i] + (1.f - b1) * g[i];
        v[i] = b2 * v[i] + (1.f - b2) * g[i] * g[i];
        w[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
    }
}

}  // namespace xgrad::optim
