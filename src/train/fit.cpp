// Sequential's training interface: compile, fit, evaluate, predict. The steady-state step is
// lean: batches are constants (no gradient for the inputs), softmax + cross-entropy is fused,
// and the optimizer updates in place.
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>
#include <random>

#include "xgrad/format.hpp"
#include "xgrad/nn/sequential.hpp"
#include "xgrad/ops/activation.hpp"
#include "xgrad/random.hpp"
#include "xgrad/optim/optimizers.hpp"
#include "train/thread_probe.hpp"
#include "xgrad/train/progbar.hpp"

namespace xgrad::nn {

namespace {

std::size_t samples(const Array& a) { return a.dimension() ? a.shape()[0] : 0; }

// Rows idx[0..count) of `src` (row-major) as a new array (count, src.shape[1:]...).
Array gather_rows(const Array& src, const std::size_t* idx, std::size_t count) {
    Array::shape_type shape = src.shape();
    const std::size_t row = shape[0] ? src.size() / shape[0] : 0;
    shape[0] = count;
    Array out(shape);
    for (std::size_t i = 0; i < count; ++i) {
        std::memcpy(out.data() + i * row, src.data() + idx[i] * row, row * sizeof(float));
    }
    return out;
}

Array slice_rows_array(const Array& src, std::size_t begin, std::size_t end) {
    std::vector<std::size_t> idx(end - begin);
    std::iota(idx.begin(), idx.end(), begin);
    return gather_rows(src, idx.data(), idx.size());
}

// Sample-weighted running means of the loss and metrics over an epoch or an evaluation.
struct Running {
    std::vector<std::string> names;
    std::vector<double> sums;
    double count = 0;
    void add(const std::vector<double>& values, std::size_t n) {
        if (sums.empty()) sums.assign(values.size(), 0.0);
        for (std::size_t i = 0; i < values.size(); ++i) sums[i] += values[i] * double(n);
        count += double(n);
    }
    train::ProgressValues means(const std::string& prefix = "") const {
        train::ProgressValues out;
        for (std::size_t i = 0; i < names.size(); ++i) out.emplace_back(prefix + names[i], sums.empty() ? 0.0 : sums[i] / count);
        return out;
    }
};

bool sparse_loss(const losses::Loss& loss) { return loss.name() == "sparse_categorical_crossentropy"; }

}  // namespace

void Sequential::compile(const optim::Optimizer& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics) {
    compile(optimizer.clone(), std::move(loss), std::move(metrics));
}

void Sequential::compile(std::shared_ptr<optim::Optimizer> optimizer, losses::Loss loss,
                         std::vector<metrics::Metric> metrics) {
    if (!optimizer) throw ValueError("compile: null optimizer");
    optimizer_ = std::move(optimizer);
    loss_ = std::move(loss);
    metrics_ = std::move(metrics);
    if (built()) optimizer_->attach(named_parameters());
}

void Sequential::compile(const std::string& optimizer, losses::Loss loss, std::vector<metrics::Metric> metrics) {
    compile(optim::get(optimizer), std::move(loss), std::move(metrics));
}

void Sequential::require_compiled(const char* who) const {
    if (!compiled()) {
        throw ValueError(std::string(who) + ": model '" + name() +
                         "' is not compiled; call compile(optimizer, loss, metrics) first");
    }
}

optim::Optimizer& Sequential::optimizer() const {
    require_compiled("optimizer");
    return *optimizer_;
}

const losses::Loss& Sequential::loss() const {
    require_compiled("loss");
    return *loss_;
}

bool Sequential::uses_fused_softmax_cross_entropy() const {
    return compiled() && loss_->name() == "categorical_crossentropy" && activation() == Activation::Softmax;
}

void Sequential::stop_training(std::string reason) {
    stop_requested_ = true;
    stop_reason_ = std::move(reason);
}

namespace {

// Shared checks of fit and evaluate: counts, emptiness, input width, target width.
void check_data(const char* who, Sequential& model, const Array& x, const Array& y) {
    if (x.dimension() < 2 || samples(x) == 0) {
        throw ValueError(std::string(who) + ": x is empty or not batched (shape " + shape_str(x.shape()) +
                         "); expected (samples, features)");
    }
    if (samples(y) != samples(x)) {
        throw ValueError(std::string(who) + ": x has " + std::to_string(samples(x)) + " samples but y has " +
                         std::to_string(samples(y)));
    }
    const Shape per_sample(x.shape().begin() + 1, x.shape().end());
    const Shape out = model.build(per_sample);
    if (sparse_loss(model.loss())) {
        if (!(y.dimension() == 1 || (y.dimension() == 2 && y.shape()[1] == 1))) {
            throw ValueError(std::string(who) + ": sparse_categorical_crossentropy needs y of class indices (N) or (Nx1), got " +
                             shape_str(y.shape()));
        }
        return;
    }
    const Shape y_per(y.shape().begin() + (y.dimension() ? 1 : 0), y.shape().end());
    if (y_per != out) {
        if (y.dimension() == 2 && out.size() == 1) {
            throw ValueError(std::string(who) + ": y has " + std::to_string(y.shape()[1]) + " columns but the model outputs " +
                             std::to_string(out[0]) + " units (last layer '" + model.layers().back()->name() + "')");
        }
        throw ValueError(std::string(who) + ": y per-sample shape " + shape_str(y_per) + " does not match the model output " +
                         shape_str(out));
    }
}

}  // namespace

train::History Sequential::fit(const Array& x_all, const Array& y_all, const train::FitOptions& options) {
    require_compiled("fit");
    if (options.batch_size == 0) throw ValueError("fit: batch_size must be positive, got 0");
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
    }
    check_data("fit", *this, x_all, y_all);
    if (options.validation_data) check_data("fit (validation_data)", *this, options.validation_data->first, options.validation_data->second);

    // Keras holds out the LAST fraction of the data, before any shuffling.
    const std::size_t n_all = samples(x_all);
    std::size_t n_train = n_all;
    std::optional<std::pair<Array, Array>> val = options.validation_data;
    if (!val && options.validation_split > 0.0) {
        n_train = std::size_t(double(n_all) * (1.0 - options.validation_split));
        if (n_train == 0 || n_train == n_all) {
            throw ValueError("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                             std::to_string(n_all) + " samples leaves an empty training or validation set");
        }
        val.emplace(slice_rows_array(x_all, n_train, n_all), slice_rows_array(y_all, n_train, n_all));
    }

    if (options.batch_size > n_train) {
        throw ValueError("fit: batch_size " + std::to_string(options.batch_size) + " is larger than the " +
                         std::to_string(n_train) + " training samples");
    }
    optimizer_->attach(named_parameters());
    const bool fused = uses_fused_softmax_cross_entropy();
    std::ostream& out = options.out ? *options.out : std::cout;
    const bool dynamic = train::is_terminal(out);
    const std::size_t steps = (n_train + options.batch_size - 1) / options.batch_size;

    stop_requested_ = false;
    stop_reason_.clear();
    train::History history;
    for (auto& cb : options.callbacks) cb->set_model(this);
    for (auto& cb : options.callbacks) cb->on_train_begin({});
    train(true);

    std::vector<std::size_t> order(n_train);
    std::iota(order.begin(), order.end(), std::size_t{0});
    train::ThreadProbe threads(options.adapt_threads);
    for (std::size_t epoch = 0; epoch < options.epochs && !stop_requested_; ++epoch) {
        threads.begin_epoch();
        if (options.verbose > 0) out << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
        for (auto& cb : options.callbacks) cb->on_epoch_begin(int(epoch), {});
        if (options.shuffle) std::shuffle(order.begin(), order.end(), generator());
        std::optional<train::Progbar> bar;
        if (options.verbose == 1) bar.emplace(steps, out, dynamic);
        const auto start = std::chrono::steady_clock::now();

        Running running;
        running.names.push_back("loss");
        for (auto& m : metrics_) running.names.push_back(m.name());
        std::size_t step = 0;
        for (; step < steps && !stop_requested_; ++step) {
            const std::size_t begin = step * options.batch_size;
            const std::size_t count = std::min(options.batch_size, n_train - begin);
            for (auto& cb : options.callbacks) cb->on_batch_begin(int(step), {});
            threads.before_step();
            const Tensor xb = constant(gather_rows(x_all, order.data() + begin, count));
            const Tensor yb = constant(gather_rows(y_all, order.data() + begin, count));
            const Tensor out_t = fused ? forward_without_activation(xb) : forward(xb);
            const Tensor loss = fused ? losses::softmax_cross_entropy(out_t, yb) : (*loss_)(yb, out_t);
            optimizer_->zero_grad();
            loss.backward();
            optimizer_->step();
            threads.after_step();

            std::vector<double> values{double(loss.item())};
            if (!metrics_.empty()) {
                NoGradGuard no_grad;
                const Array probs = fused ? xgrad::softmax(constant(out_t.value())).value() : Array();
                const Array& pred = fused ? probs : out_t.value();
                for (auto& m : metrics_) values.push_back(m(yb.value(), pred));
            }
            running.add(values, count);
            if (!options.callbacks.empty()) {
                train::Logs logs;
                for (auto& [k, v] : running.means()) logs[k] = v;
                logs["loss"] = values[0];  // the batch's own loss (TerminateOnNaN watches it)
                for (auto& cb : options.callbacks) cb->on_batch_end(int(step), logs);
            }
            if (bar && step + 1 < steps) bar->update(step + 1, running.means());
        }

        train::ProgressValues val_values;
        if (val && !stop_requested_) {
            auto r = evaluate(val->first, val->second, {.batch_size = options.batch_size, .verbose = 0});
            val_values.emplace_back("val_loss", r.at("loss"));
            for (auto& m : metrics_) val_values.emplace_back("val_" + m.name(), r.at(m.name()));
        }
        train::Logs logs;
        for (auto& [k, v] : running.means()) logs[k] = v;
        for (auto& [k, v] : val_values) logs[k] = v;
        history.append(logs);
        if (bar) {
            if (step == steps) bar->update(steps, running.means(), val_values);
            else out << "\n";  // stopped mid-epoch: end the redrawn line
        } else if (options.verbose == 2) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::string line = std::to_string(step) + "/" + std::to_string(steps) + " - " + std::to_string(long(std::lround(secs))) + "s";
            for (auto& [k, v] : running.means()) line += " - " + k + ": " + std::to_string(v).substr(0, 6);
            for (auto& [k, v] : val_values) line += " - " + k + ": " + std::to_string(v).substr(0, 6);
            out << line << "\n";
        }
        for (auto& cb : options.callbacks) cb->on_epoch_end(int(epoch), logs);
    }
    history.stop_reason = stop_reason_;
    if (!stop_reason_.empty() && options.verbose > 0) out << stop_reason_ << "\n";
    for (auto& cb : options.callbacks) cb->on_train_end({});
    for (auto& cb : options.callbacks) cb->set_model(nullptr);
    out.flush();
    return history;
}

std::map<std::string, double> Sequential::evaluate(const Array& x, const Array& y, const train::EvaluateOptions& options) {
    require_compiled("evaluate");
    if (options.batch_size == 0) throw ValueError("evaluate: batch_size must be positive, got 0");
    check_data("evaluate", *this, x, y);
    NoGradGuard no_grad;
    const bool was_training = is_training();
    eval();
    const bool fused = uses_fused_softmax_cross_entropy();
    const std::size_t n = samples(x);
    const std::size_t steps = (n + options.batch_size - 1) / options.batch_size;
    Running running;
    running.names.push_back("loss");
    for (auto& m : metrics_) running.names.push_back(m.name());
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t begin = 0; begin < n; begin += options.batch_size) {
        const std::size_t end = std::min(n, begin + options.batch_size);
        const Tensor xb = constant(slice_rows_array(x, begin, end));
        const Tensor yb = constant(slice_rows_array(y, begin, end));
        const Tensor out_t = fused ? forward_without_activation(xb) : forward(xb);
        const Tensor loss = fused ? losses::softmax_cross_entropy(out_t, yb) : (*loss_)(yb, out_t);
        std::vector<double> values{double(loss.item())};
        if (!metrics_.empty()) {
            const Array pred = fused ? xgrad::softmax(out_t).value() : out_t.value();
            for (auto& m : metrics_) values.push_back(m(yb.value(), pred));
        }
        running.add(values, end - begin);
    }
    train(was_training);
    std::map<std::string, double> result;
    for (auto& [k, v] : running.means()) result[k] = v;
    if (options.verbose > 0) {
        std::ostream& out = options.out ? *options.out : std::cout;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        out << train::format_progress(steps, steps, secs, running.means()) << "\n";
    }
    return result;
}

Array Sequential::predict(const Array& x, const train::PredictOptions& options) {
    if (options.batch_size == 0) throw ValueError("predict: batch_size must be positive, got 0");
    if (x.dimension() < 2 || samples(x) == 0) {
        throw ValueError("predict: x is empty or not batched (shape " + shape_str(x.shape()) + "); expected (samples, features)");
    }
    const Shape out_shape = build(Shape(x.shape().begin() + 1, x.shape().end()));
    NoGradGuard no_grad;
    const bool was_training = is_training();
    eval();
    const std::size_t n = samples(x);
    Array::shape_type shape{n};
    shape.insert(shape.end(), out_shape.begin(), out_shape.end());
    Array result(shape);
    const std::size_t row = result.size() / n;
    for (std::size_t begin = 0; begin < n; begin += options.batch_size) {
        const std::size_t end = std::min(n, begin + options.batch_size);
        const Tensor yb = forward(constant(slice_rows_array(x, begin, end)));
        std::memcpy(result.data() + begin * row, yb.value().data(), (end - begin) * row * sizeof(float));
    }
    train(was_training);
    return result;
}

}  // namespace xgrad::nn
