#pragma once
/// @file optimizers.hpp
/// RMSprop, SGD and Adam with Keras' defaults and update rules.

#include "xgrad/optim/optimizer.hpp"

namespace xgrad::optim {

/// Options of RMSprop (Keras defaults).
struct RMSpropOptions {
    float learning_rate = 1e-3f;   ///< lr
    float rho = 0.9f;              ///< decay of the squared-gradient average
    float momentum = 0.f;          ///< 0 = no momentum slot
    float epsilon = 1e-7f;         ///< added to the denominator
    bool centered = false;         ///< divide by the variance estimate v - mg^2 instead of v
    bool eps_inside_sqrt = false;  ///< sqrt(v + eps) (Keras 3) instead of sqrt(v) + eps (Keras 2, the book)
};

/// RMSprop (Keras 2 form, as in the book):
///   v  = rho·v + (1-rho)·g²
///   d  = v            (centered: mg = rho·mg + (1-rho)·g, d = v - mg²)
///   s  = lr·g / (sqrt(d) + eps)      (eps_inside_sqrt: lr·g / sqrt(d + eps))
///   w -= s            (momentum: m = momentum·m + s, w -= m)
/// Written with the in-place primitives (one vectorised pass each, threads for large tensors).
class RMSprop : public Optimizer {
public:
    /// RMSprop with `options`.
    explicit RMSprop(RMSpropOptions options = {});
    std::string name() const override { return "rmsprop"; }
    std::shared_ptr<Optimizer> clone() const override { return std::make_shared<RMSprop>(*this); }
    /// The options as JSON (Optimizer::config()).
    nlohmann::json config() const override;
    /// The options.
    const RMSpropOptions& options() const { return options_; }
    float learning_rate() const override { return options_.learning_rate; }

protected:
    void assign_learning_rate(float lr) override { options_.learning_rate = lr; }
    std::vector<std::string> slot_names() const override;
    void update(Tensor& w, const Tensor& g, std::vector<Tensor>& slots) override;

private:
    RMSpropOptions options_;
};

/// Options of SGD (Keras defaults).
struct SGDOptions {
    float learning_rate = 0.01f;  ///< lr
    float momentum = 0.f;         ///< 0 = plain gradient descent
    bool nesterov = false;        ///< Nesterov momentum
};

/// Stochastic gradient descent (Keras form):
///   momentum 0: w -= lr·g
///   else: u = momentum·u - lr·g;  w += u   (nesterov: w += momentum·u - lr·g)
class SGD : public Optimizer {
public:
    /// SGD with `options`.
    explicit SGD(SGDOptions options = {});
    std::string name() const override { return "sgd"; }
    std::shared_ptr<Optimizer> clone() const override { return std::make_shared<SGD>(*this); }
    /// The options as JSON (Optimizer::config()).
    nlohmann::json config() const override;
    /// The options.
    const SGDOptions& options() const { return options_; }
    float learning_rate() const override { return options_.learning_rate; }

protected:
    void assign_learning_rate(float lr) override { options_.learning_rate = lr; }
    std::vector<std::string> slot_names() const override;
    void update(Tensor& w, const Tensor& g, std::vector<Tensor>& slots) override;

private:
    SGDOptions options_;
};

/// Options of Adam (Keras defaults).
struct AdamOptions {
    float learning_rate = 1e-3f;  ///< lr
    float beta_1 = 0.9f;          ///< decay of the first moment
    float beta_2 = 0.999f;        ///< decay of the second moment
    float epsilon = 1e-7f;        ///< added to the denominator
};

/// Adam (Keras form, t = iterations() counting this step):
///   m = b1·m + (1-b1)·g;  v = b2·v + (1-b2)·g²
///   w -= lr·sqrt(1-b2^t)/(1-b1^t) · m / (sqrt(v) + eps)
class Adam : public Optimizer {
public:
    /// Adam with `options`.
    explicit Adam(AdamOptions options = {});
    std::string name() const override { return "adam"; }
    std::shared_ptr<Optimizer> clone() const override { return std::make_shared<Adam>(*this); }
    /// The options as JSON (Optimizer::config()).
    nlohmann::json config() const override;
    /// The options.
    const AdamOptions& options() const { return options_; }
    float learning_rate() const override { return options_.learning_rate; }

protected:
    void assign_learning_rate(float lr) override { options_.learning_rate = lr; }
    std::vector<std::string> slot_names() const override;
    void update(Tensor& w, const Tensor& g, std::vector<Tensor>& slots) override;

private:
    AdamOptions options_;
};

}  // namespace xgrad::optim
