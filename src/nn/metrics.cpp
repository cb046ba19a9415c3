// Metrics on arrays: raw row loops (argmax per row), no graph.
#include "xgrad/metrics.hpp"

#include "xgrad/error.hpp"
#include "xgrad/format.hpp"

namespace xgrad::metrics {

namespace {

std::size_t rows(const Array& a) { return a.dimension() ? a.shape()[0] : 1; }

std::size_t argmax_row(const float* p, std::size_t c) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < c; ++j) {
        if (p[j] > p[best]) best = j;
    }
    return best;
}

void check_2d(const char* who, const Array& y_pred) {
    if (y_pred.dimension() != 2 || y_pred.shape()[0] == 0) {
        throw ShapeError(std::string(who) + ": y_pred must be a non-empty (batch, classes) matrix, got " + shape_str(y_pred.shape()));
    }
}

}  // namespace

double categorical_accuracy(const Array& y_true, const Array& y_pred) {
    check_2d("categorical_accuracy", y_pred);
    if (y_true.shape() != y_pred.shape()) {
        throw ShapeError("categorical_accuracy: y_true " + shape_str(y_true.shape()) + " and y_pred " +
                         shape_str(y_pred.shape()) + " must have the same shape");
    }
    const std::size_t n = y_pred.shape()[0], c = y_pred.shape()[1];
    std::size_t hits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        hits += argmax_row(y_pred.data() + i * c, c) == argmax_row(y_true.data() + i * c, c);
    }
    return double(hits) / double(n);
}

double binary_accuracy(const Array& y_true, const Array& y_pred, float threshold) {
    if (y_true.shape() != y_pred.shape() || y_pred.size() == 0) {
        throw ShapeError("binary_accuracy: y_true " + shape_str(y_true.shape()) + " and y_pred " +
                         shape_str(y_pred.shape()) + " must have the same non-empty shape");
    }
    std::size_t hits = 0;
    for (std::size_t i = 0; i < y_pred.size(); ++i) {
        hits += (y_pred.data()[i] > threshold) == (y_true.data()[i] > 0.5f);
    }
    return double(hits) / double(y_pred.size());
}

double sparse_categorical_accuracy(const Array& y_true, const Array& y_pred) {
    check_2d("sparse_categorical_accuracy", y_pred);
    const std::size_t n = y_pred.shape()[0], c = y_pred.shape()[1];
    if (y_true.size() != n || rows(y_true) != n) {
        throw ShapeError("sparse_categorical_accuracy: y_true " + shape_str(y_true.shape()) +
                         " must hold one class index per row of y_pred " + shape_str(y_pred.shape()));
    }
    std::size_t hits = 0;
    for (std::size_t i = 0; i < n; ++i) hits += float(argmax_row(y_pred.data() + i * c, c)) == y_true.data()[i];
    return double(hits) / double(n);
}

double accuracy(const Array& y_true, const Array& y_pred) {
    check_2d("accuracy", y_pred);
    if (y_pred.shape()[1] == 1) return binary_accuracy(y_true, y_pred);
    if (y_true.dimension() == 1 || (y_true.dimension() == 2 && y_true.shape()[1] == 1)) {
        return sparse_categorical_accuracy(y_true, y_pred);
    }
    return categorical_accuracy(y_true, y_pred);
}

std::string metric_names() {
    return "accuracy (acc), categorical_accuracy, binary_accuracy, sparse_categorical_accuracy";
}

namespace {
Metric lookup(const std::string& name) {
    if (name == "accuracy" || name == "acc") return {"accuracy", accuracy};
    if (name == "categorical_accuracy") return {name, categorical_accuracy};
    if (name == "binary_accuracy") return {name, [](const Array& t, const Array& p) { return binary_accuracy(t, p); }};
    if (name == "sparse_categorical_accuracy") return {name, sparse_categorical_accuracy};
    throw ValueError("metric: unknown metric '" + name + "'; valid names: " + metric_names());
}
}  // namespace

Metric::Metric(const char* name) : Metric(std::string(name)) {}
Metric::Metric(const std::string& name) : Metric(lookup(name)) {}
Metric::Metric(std::string name, std::function<double(const Array&, const Array&)> fn)
    : name_(std::move(name)), fn_(std::move(fn)) {}

}  // namespace xgrad::metrics
