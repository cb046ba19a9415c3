#pragma once
/// @file metrics.hpp
/// Metrics on plain arrays (no graph): each returns the batch mean, which the trainer
/// averages over batches weighted by their sizes.

#include <functional>
#include <string>

#include "xgrad/xt.hpp"

namespace xgrad::metrics {

/// Fraction of rows whose argmax(y_pred) equals argmax(y_true); both (N, C).
double categorical_accuracy(const Array& y_true, const Array& y_pred);
/// Fraction of elements where (y_pred > threshold) equals (y_true > 0.5).
double binary_accuracy(const Array& y_true, const Array& y_pred, float threshold = 0.5f);
/// Fraction of rows whose argmax(y_pred) equals the class index y_true (shape (N) or (N, 1)).
double sparse_categorical_accuracy(const Array& y_true, const Array& y_pred);
/// Keras' "accuracy": binary when y_pred has one column, sparse when y_true has one column
/// and y_pred several, categorical otherwise.
double accuracy(const Array& y_true, const Array& y_pred);

/// A named metric `f(y_true, y_pred) -> batch mean`. Converts from a Keras name.
class Metric {
public:
    /// The metric called `name`; ValueError listing the valid names otherwise.
    Metric(const char* name);  // NOLINT(google-explicit-constructor): string form
    /// The metric called `name`; ValueError listing the valid names otherwise.
    Metric(const std::string& name);  // NOLINT(google-explicit-constructor)
    /// A custom metric.
    Metric(std::string name, std::function<double(const Array&, const Array&)> fn);

    /// The metric on one batch.
    double operator()(const Array& y_true, const Array& y_pred) const { return fn_(y_true, y_pred); }
    /// The name ("accuracy").
    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::function<double(const Array&, const Array&)> fn_;
};

/// The valid metric names, comma separated.
std::string metric_names();

}  // namespace xgrad::metrics
