// Losses from the public ops, and the fused softmax cross-entropy recorded as one node.
#include "xgrad/losses.hpp"

#include <cmath>

#include "xgrad/format.hpp"
#include "xgrad/graph.hpp"
#include "xgrad/ops/activation.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/reduce.hpp"

namespace xgrad::losses {

namespace {

void same_shape(const char* op, const Tensor& y_true, const Tensor& y_pred) {
    if (y_true.shape() != y_pred.shape()) {
        throw ShapeError(std::string(op) + ": y_true " + describe(y_true) + " and y_pred " + describe(y_pred) +
                         " must have the same shape");
    }
    if (y_pred.size() == 0) throw ShapeError(std::string(op) + ": empty batch " + describe(y_pred));
}

void two_d(const char* op, const Tensor& t, const char* what) {
    if (t.ndim() != 2 || t.shape()[0] == 0 || t.shape()[1] == 0) {
        throw ShapeError(std::string(op) + ": " + what + " must be a non-empty (batch, classes) matrix, got " + describe(t));
    }
}

// Class indices (N) or (N, 1) to a one-hot constant (N, C); names the first bad label.
Tensor one_hot(const char* op, const Tensor& y_true, std::size_t n, std::size_t c) {
    const bool ok_shape = (y_true.ndim() == 1 && y_true.shape()[0] == n) ||
                          (y_true.ndim() == 2 && y_true.shape()[0] == n && y_true.shape()[1] == 1);
    if (!ok_shape) {
        throw ShapeError(std::string(op) + ": y_true " + describe(y_true) + " must hold one class index per row of y_pred (" +
                         std::to_string(n) + ") or (" + std::to_string(n) + "x1)");
    }
    Array out(Array::shape_type{n, c}, 0.f);
    const float* y = y_true.value().data();
    for (std::size_t i = 0; i < n; ++i) {
        const float v = y[i];
        if (!(v >= 0.f) || v >= float(c) || v != std::floor(v)) {
            throw ValueError(std::string(op) + ": label " + std::to_string(v) + " at row " + std::to_string(i) +
                             " is not a class index in [0, " + std::to_string(c) + ")");
        }
        out.data()[i * c + std::size_t(v)] = 1.f;
    }
    return constant(std::move(out));
}

}  // namespace

Tensor categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred) {
    two_d("categorical_crossentropy", y_pred, "y_pred");
    same_shape("categorical_crossentropy", y_true, y_pred);
    Tensor p = clip(y_pred, kEpsilon, 1.f - kEpsilon);
    return neg(sum(y_true * log(p))) / float(y_pred.shape()[0]);
}

Tensor sparse_categorical_crossentropy(const Tensor& y_true, const Tensor& y_pred) {
    two_d("sparse_categorical_crossentropy", y_pred, "y_pred");
    const std::size_t n = y_pred.shape()[0], c = y_pred.shape()[1];
    Tensor y = one_hot("sparse_categorical_crossentropy", y_true, n, c);
    Tensor p = clip(y_pred, kEpsilon, 1.f - kEpsilon);
    return neg(sum(y * log(p))) / float(n);
}

Tensor binary_crossentropy(const Tensor& y_true, const Tensor& y_pred) {
    same_shape("binary_crossentropy", y_true, y_pred);
    Tensor p = clip(y_pred, kEpsilon, 1.f - kEpsilon);
    return neg(mean(y_true * log(p) + (1.f - y_true) * log(1.f - p)));
}

Tensor mean_squared_error(const Tensor& y_true, const Tensor& y_pred) {
    same_shape("mean_squared_error", y_true, y_pred);
    return mean(square(y_pred - y_true));
}

Tensor mean_absolute_error(const Tensor& y_true, const Tensor& y_pred) {
    same_shape("mean_absolute_error", y_true, y_pred);
    return mean(abs(y_pred - y_true));
}

Tensor softmax_cross_entropy(const Tensor& logits, const Tensor& y_onehot) {
    two_d("softmax_cross_entropy", logits, "logits");
    same_shape("softmax_cross_entropy", y_onehot, logits);
    const std::size_t n = logits.shape()[0], c = logits.shape()[1];
    // -Σ y·log_softmax(z) / N: the log-softmax op's kernel (one vectorised exp over the batch),
    // summed in double.
    const Tensor lsm = [&] {
        NoGradGuard no_grad;  // a value only: no node keeps the logits
        return log_softmax(logits, -1);
    }();
    const float* l = lsm.value().data();
    const float* y = y_onehot.value().data();
    double total = 0.0;
    for (std::size_t i = 0; i < n * c; ++i) total -= double(y[i]) * double(l[i]);
    Array value = Array(Array::shape_type{}, float(total / double(n)));
    return record({"softmax_cross_entropy", "dL/dz = (softmax(z)·Σy - y)/N, dL/dy = -log_softmax(z)/N"},
                  {logits, y_onehot}, std::move(value),
                  [n](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor& z = c.inputs[0];
                      const Tensor& yt = c.inputs[1];
                      Tensor scale = c.grad / float(n);
                      std::vector<Tensor> out(2);
                      if (c.needs[0]) out[0] = (softmax(z, -1) * sum(yt, {-1}, true) - yt) * scale;
                      if (c.needs[1]) out[1] = neg(log_softmax(z, -1)) * scale;
                      return out;
                  });
}

std::string loss_names() {
    return "categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, "
           "mean_squared_error (mse), mean_absolute_error (mae)";
}

namespace {
Loss lookup(const std::string& name) {
    if (name == "categorical_crossentropy") return {name, categorical_crossentropy};
    if (name == "sparse_categorical_crossentropy") return {name, sparse_categorical_crossentropy};
    if (name == "binary_crossentropy") return {name, binary_crossentropy};
    if (name == "mean_squared_error" || name == "mse") return {"mean_squared_error", mean_squared_error};
    if (name == "mean_absolute_error" || name == "mae") return {"mean_absolute_error", mean_absolute_error};
    throw ValueError("loss: unknown loss '" + name + "'; valid names: " + loss_names());
}
}  // namespace

Loss::Loss(const char* name) : Loss(std::string(name)) {}
Loss::Loss(const std::string& name) : Loss(lookup(name)) {}
Loss::Loss(std::string name, std::function<Tensor(const Tensor&, const Tensor&)> fn)
    : name_(std::move(name)), fn_(std::move(fn)) {}

}  // namespace xgrad::losses
