#pragma once
/// @file losses.hpp
/// Loss functions (Keras names and argument order: y_true first, y_pred second), each
/// returning the mean over the batch as a 0-d tensor, and the fused softmax cross-entropy.

#include <functional>
#include <string>

#include "xgrad/tensor.hpp"

namespace xgrad::losses {

/// Keras' fuzz factor: probabilities are clipped to [eps, 1 - eps] before the log.
inline constexpr float kEpsilon = 1e-7f;

/// -(1/N) Σ_i Σ_j y_ij log(clip(p_ij, eps, 1-eps)) for probabilities p (N, C) and targets y (N, C).
Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred);
/// categorical_crossentropy with integer class indices y_true of shape (N) or (N, 1).
Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred);
/// -mean(y log(clip(p)) + (1-y) log(1 - clip(p))) over all elements; p = probabilities.
Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred);
/// mean((p - y)^2) over all elements.
Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred);
/// mean(|p - y|) over all elements.
Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred);

/// Fused softmax + categorical cross-entropy on logits z (N, C) and targets y (N, C):
/// L = -(1/N) Σ_i Σ_j y_ij log_softmax(z)_ij, computed row by row (stable log-sum-exp).
/// dL/dz = (softmax(z)·Σ_j y_ij - y) / N  (= (softmax - y)/N for one-hot rows),
/// dL/dy = -log_softmax(z) / N; both written with public ops, so create_graph works.
Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& y_onehot);

/// A named loss `f(y_true, y_pred) -> 0-d tensor`. Converts from a Keras name, so compile()
/// accepts "categorical_crossentropy" as well as a Loss.
class Loss {
public:
    /// The loss called `name`; ValueError listing the valid names otherwise.
    Loss(const char* name);  // NOLINT(google-explicit-constructor): string form
    /// The loss called `name`; ValueError listing the valid names otherwise.
    Loss(const std::string& name);  // NOLINT(google-explicit-constructor)
    /// A custom loss.
    Loss(std::string name, std::function<Tensor(const Tensor&, const Tensor&)> fn);

    /// The loss of a batch.
    Tensor operator()(const Tensor& y_true, const Tensor& y_pred) const { return fn_(y_true, y_pred); }
    /// The name ("categorical_crossentropy").
    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::function<Tensor(const Tensor&, const Tensor&)> fn_;
};

/// The valid loss names, comma separated.
std::string loss_names();

}  // namespace xgrad::losses
