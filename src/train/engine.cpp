// The one training engine: fit, evaluate and predict for any nn::Model. The steady-state step
// is lean: batches are constants (no gradient for the inputs), softmax + cross-entropy is
// fused, the optimizer updates in place, and a single-process run pays one virtual call per
// step for the data-parallel hooks.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <numeric>
#include <optional>
#include <random>
#include <thread>
#include <tuple>

#include "train/engine_impl.hpp"
#include "train/prefetch.hpp"
#include "train/thread_probe.hpp"
#include "xgrad/format.hpp"
#include "xgrad/ops/activation.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/random.hpp"
#include "xgrad/train/distribution.hpp"
#include "xgrad/train/progbar.hpp"

namespace xgrad::train {

ValidationData::ValidationData(std::pair<Array, Array> xy) : x{std::move(xy.first)}, y{std::move(xy.second)} {}

namespace impl {

ArrayRefs refs(const std::vector<Array>& v) {
    ArrayRefs out;
    for (const auto& a : v) out.push_back(&a);
    return out;
}

namespace {

std::size_t samples(const Array& a) { return a.dimension() ? a.shape()[0] : 0; }

Array slice_rows_array(const Array& src, std::size_t begin, std::size_t end) {
    std::vector<std::size_t> idx(end - begin);
    std::iota(idx.begin(), idx.end(), begin);
    return gather_rows(src, idx);
}

std::vector<Tensor> as_constants(std::vector<Array> arrays) {
    std::vector<Tensor> out;
    out.reserve(arrays.size());
    for (auto& a : arrays) out.push_back(constant(std::move(a)));
    return out;
}

std::vector<Tensor> gather_batch(const ArrayRefs& arrays, std::span<const std::size_t> idx) {
    return as_constants(gather_rows_of(arrays, idx));
}

// Sample-weighted running sums of the loss and metrics over an epoch or an evaluation.
struct Running {
    std::vector<std::string> names;
    std::vector<double> sums;
    double count = 0;
    explicit Running(std::vector<std::string> n) : names(std::move(n)), sums(names.size(), 0.0) {}
    void add(const std::vector<double>& values, std::size_t n) {
        for (std::size_t i = 0; i < values.size(); ++i) sums[i] += values[i] * double(n);
        count += double(n);
    }
    // Sums over every process (a no-op for one process).
    void reduce(Distribution& dist) {
        std::vector<double> packed = sums;
        packed.push_back(count);
        dist.reduce_sums(packed);
        std::copy(packed.begin(), packed.end() - 1, sums.begin());
        count = packed.back();
    }
    ProgressValues means(const std::string& prefix = "") const {
        ProgressValues out;
        for (std::size_t i = 0; i < names.size(); ++i) out.emplace_back(prefix + names[i], count > 0 ? sums[i] / count : 0.0);
        return out;
    }
};

bool sparse_loss(const losses::Loss& loss) { return loss.name() == "sparse_categorical_crossentropy"; }

// What training a model computes from its outputs: one loss per output (fused with softmax
// where possible), their weighted sum, and the metrics; with the names of the logged values.
class Objective {
public:
    explicit Objective(const nn::Model& m) : outputs_(m.num_outputs()) {
        const auto out_names = m.output_names();
        names.push_back("loss");
        for (std::size_t i = 0; i < outputs_; ++i) {
            losses_.push_back(m.loss(i));
            weights_.push_back(m.loss_weight(i));
            fused.push_back(m.uses_fused_softmax_cross_entropy(i));
            metrics_.push_back(m.metrics(i));
            if (outputs_ > 1) names.push_back(out_names.at(i) + "_loss");
        }
        for (std::size_t i = 0; i < outputs_; ++i) {
            for (const auto& metric : metrics_[i]) names.push_back((outputs_ > 1 ? out_names.at(i) + "_" : "") + metric.name());
        }
    }

    // The total loss of a batch; appends its value (and each output's, for several outputs).
    Tensor loss(const std::vector<Tensor>& outs, const std::vector<Tensor>& ys, std::vector<double>& values) const {
        if (outputs_ == 1) {  // the common case: no weighting op on the graph
            Tensor l = fused[0] ? losses::softmax_cross_entropy(outs[0], ys[0]) : losses_[0](ys[0], outs[0]);
            values.push_back(double(l.item()));
            return l;
        }
        Tensor total;
        std::vector<double> each;
        for (std::size_t i = 0; i < outputs_; ++i) {
            Tensor l = fused[i] ? losses::softmax_cross_entropy(outs[i], ys[i]) : losses_[i](ys[i], outs[i]);
            each.push_back(double(l.item()));
            Tensor term = weights_[i] == 1.0 ? l : l * float(weights_[i]);
            total = total.defined() ? total + term : term;
        }
        values.push_back(double(total.item()));
        values.insert(values.end(), each.begin(), each.end());
        return total;
    }

    // Appends every metric of every output (on probabilities where the output was fused).
    void metrics(const std::vector<Tensor>& outs, const std::vector<Tensor>& ys, std::vector<double>& values) const {
        NoGradGuard no_grad;
        for (std::size_t i = 0; i < outputs_; ++i) {
            if (metrics_[i].empty()) continue;
            const Array probs = fused[i] ? xgrad::softmax(constant(outs[i].value())).value() : Array();
            const Array& pred = fused[i] ? probs : outs[i].value();
            for (const auto& m : metrics_[i]) values.push_back(m(ys[i].value(), pred));
        }
    }
    bool has_metrics() const {
        for (const auto& m : metrics_) {
            if (!m.empty()) return true;
        }
        return false;
    }

    std::vector<std::string> names;  // "loss", per-output losses, metrics
    std::vector<bool> fused;         // per output: taken as logits, softmax fused into the loss

private:
    std::size_t outputs_;
    std::vector<losses::Loss> losses_;
    std::vector<double> weights_;
    std::vector<std::vector<metrics::Metric>> metrics_;
};

// Restores a model's training mode when a fit/evaluate/predict call ends, however it ends.
class ModeGuard {
public:
    ModeGuard(nn::Module& m, bool training) : m_(m), previous_(m.is_training()) { m_.train(training); }
    ~ModeGuard() { m_.train(previous_); }
    ModeGuard(const ModeGuard&) = delete;
    ModeGuard& operator=(const ModeGuard&) = delete;

private:
    nn::Module& m_;
    bool previous_;
};

std::string describe_arrays(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// "x" for a one-input model, "x[1] ('b')" otherwise.
std::string which(const char* what, std::size_t i, std::size_t count, const std::vector<std::string>& names) {
    if (count == 1) return what;
    return std::string(what) + "[" + std::to_string(i) + "] ('" + (i < names.size() ? names[i] : "?") + "')";
}

// Checks that x matches the model's inputs (count, batched, equal sample counts), builds the
// model and returns its per-sample output shapes.
std::vector<Shape> check_inputs(const char* who, nn::Model& model, const ArrayRefs& x) {
    const std::size_t n_in = model.num_inputs();
    const auto in_names = model.input_names();
    if (x.size() != n_in) {
        throw ValueError(std::string(who) + ": model '" + model.name() + "' takes " + std::to_string(n_in) + " input(s) (" +
                         describe_arrays(in_names) + ") but " + std::to_string(x.size()) + " array(s) were given for x");
    }
    std::vector<Shape> per_sample;
    for (std::size_t i = 0; i < n_in; ++i) {
        const Array& a = *x[i];
        if (a.dimension() < 2 || samples(a) == 0) {
            throw ValueError(std::string(who) + ": " + which("x", i, n_in, in_names) + " is empty or not batched (shape " +
                             shape_str(a.shape()) + "); expected (samples, features)");
        }
        if (samples(a) != samples(*x[0])) {
            throw ValueError(std::string(who) + ": " + which("x", i, n_in, in_names) + " has " + std::to_string(samples(a)) +
                             " samples but " + which("x", 0, n_in, in_names) + " has " + std::to_string(samples(*x[0])));
        }
        per_sample.emplace_back(a.shape().begin() + 1, a.shape().end());
    }
    return model.build_inputs(per_sample);
}

// check_inputs, then the targets: one per output, as many samples, the output's shape.
void check_data(const char* who, nn::Model& model, const ArrayRefs& x, const ArrayRefs& y) {
    const std::vector<Shape> outs = check_inputs(who, model, x);
    const std::size_t n_out = model.num_outputs();
    const auto out_names = model.output_names();
    if (y.size() != n_out) {
        throw ValueError(std::string(who) + ": model '" + model.name() + "' has " + std::to_string(n_out) + " output(s) (" +
                         describe_arrays(out_names) + ") but " + std::to_string(y.size()) + " array(s) were given for y");
    }
    for (std::size_t i = 0; i < n_out; ++i) {
        const Array& t = *y[i];
        const std::string y_name = which("y", i, n_out, out_names);
        if (samples(t) != samples(*x[0])) {
            throw ValueError(std::string(who) + ": x has " + std::to_string(samples(*x[0])) + " samples but " + y_name +
                             " has " + std::to_string(samples(t)));
        }
        if (sparse_loss(model.loss(i))) {
            if (!(t.dimension() == 1 || (t.dimension() == 2 && t.shape()[1] == 1))) {
                throw ValueError(std::string(who) + ": sparse_categorical_crossentropy needs " + y_name +
                                 " of class indices (N) or (Nx1), got " + shape_str(t.shape()));
            }
            continue;
        }
        const Shape out = i < outs.size() ? outs[i] : Shape{};
        const Shape y_per(t.shape().begin() + (t.dimension() ? 1 : 0), t.shape().end());
        if (out.empty() || y_per == out) continue;
        const std::string layer = i < out_names.size() ? out_names[i] : "?";
        if (t.dimension() == 2 && out.size() == 1) {
            throw ValueError(std::string(who) + ": " + y_name + " has " + std::to_string(t.shape()[1]) +
                             " columns but the model outputs " + std::to_string(out[0]) + " units (" +
                             (n_out == 1 ? "last" : "output") + " layer '" + layer + "')");
        }
        throw ValueError(std::string(who) + ": " + y_name + " per-sample shape " + shape_str(y_per) +
                         " does not match the model output " + shape_str(out) + " ('" + layer + "')");
    }
}

Distribution& pick(const std::shared_ptr<Distribution>& d) { return d ? *d : distribution(); }

// Replaces this process's batch `values` (means over its `local` samples; none when its share
// was empty) by the means over the whole global batch.
void global_values(Distribution& dist, std::vector<double>& values, std::size_t local, std::size_t k) {
    std::vector<double> packed(k + 1, 0.0);
    for (std::size_t i = 0; i < values.size() && i < k; ++i) packed[i] = values[i] * double(local);
    packed[k] = double(local);
    dist.reduce_sums(packed);
    values.assign(k, 0.0);
    for (std::size_t i = 0; i < k; ++i) values[i] = packed[k] > 0 ? packed[i] / packed[k] : 0.0;
}

// A stop asked on any process stops every process: one that went on alone would wait forever
// in the next collective.
void agree_on_stop(Distribution& dist, nn::Model& model) {
    std::vector<double> stop{model.stop_requested() ? 1.0 : 0.0};
    dist.reduce_sums(stop);
    if (stop[0] > 0 && !model.stop_requested()) model.stop_training("training stopped by another process");
}

// Calls on_train_end on the distribution however fit ends.
struct TrainEnd {
    Distribution& dist;
    ~TrainEnd() { dist.on_train_end(); }
};

}  // namespace

History fit(nn::Model& model, const ArrayRefs& x_all, const ArrayRefs& y_all, const FitOptions& options) {
    model.require_compiled("fit");
    if (options.batch_size == 0) throw ValueError("fit: batch_size must be positive, got 0");
    if (!(options.validation_split >= 0.0 && options.validation_split < 1.0)) {
        throw ValueError("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
    }
    check_data("fit", model, x_all, y_all);
    if (options.validation_data) {
        check_data("fit (validation_data)", model, refs(options.validation_data->x), refs(options.validation_data->y));
    }

    // Keras holds out the LAST fraction of the data, before any shuffling.
    const std::size_t n_all = samples(*x_all[0]);
    std::size_t n_train = n_all;
    std::optional<ValidationData> split;
    if (!options.validation_data && options.validation_split > 0.0) {
        n_train = std::size_t(double(n_all) * (1.0 - options.validation_split));
        if (n_train == 0 || n_train == n_all) {
            throw ValueError("fit: validation_split " + std::to_string(options.validation_split) + " of " +
                             std::to_string(n_all) + " samples leaves an empty training or validation set");
        }
        std::vector<Array> vx, vy;
        for (const Array* a : x_all) vx.push_back(slice_rows_array(*a, n_train, n_all));
        for (const Array* a : y_all) vy.push_back(slice_rows_array(*a, n_train, n_all));
        split.emplace(std::move(vx), std::move(vy));
    }
    const ValidationData* val = options.validation_data ? &*options.validation_data : split ? &*split : nullptr;

    if (options.batch_size > n_train) {
        throw ValueError("fit: batch_size " + std::to_string(options.batch_size) + " is larger than the " +
                         std::to_string(n_train) + " training samples");
    }
    optim::Optimizer& optimizer = model.optimizer();
    optimizer.attach(model.named_parameters());
    std::vector<Tensor> params, state;
    for (const auto& [n, t] : optimizer.parameters()) {
        params.push_back(t);
        if (!t.requires_grad()) state.push_back(t);  // moving statistics: each process updates its own
    }
    const Objective objective(model);
    Distribution& dist = pick(options.distribution);
    const bool distributed = dist.world_size() > 1;
    const int verbose = dist.is_chief() ? options.verbose : 0;
    std::ostream& out = options.out ? *options.out : std::cout;
    const bool dynamic = is_terminal(out);
    const std::size_t steps = (n_train + options.batch_size - 1) / options.batch_size;

    model.reset_stop();
    History history;
    for (auto& cb : options.callbacks) cb->set_model(&model);
    for (auto& cb : options.callbacks) cb->on_train_begin({});
    ModeGuard mode(model, true);
    dist.on_train_begin(params);
    TrainEnd train_end{dist};
    // Collective ops in the model (synchronized BatchNormalization) reach the distribution's
    // processes; for one process they stay identities.
    ProcessGroupScope collectives(dist.process_group());
    // One seed for the whole fit, agreed by every process: identical permutations everywhere.
    std::mt19937_64 shuffle_rng(dist.shuffle_seed(generator()()));

    std::vector<std::size_t> order(n_train);
    std::iota(order.begin(), order.end(), std::size_t{0});
    ThreadProbe threads(options.adapt_threads);
    BatchPrefetcher prefetch(x_all, y_all);
    const int hardware_threads = int(std::max(1u, std::thread::hardware_concurrency()));
    // Global batch `step`: what the prefetcher copies ahead. local_batch() may keep state for
    // the step it is called for (DataParallel does), so it is still called at the step itself;
    // a share that differs from the whole batch (several processes) is copied there instead.
    auto global_of = [&](std::size_t step) {
        const std::size_t begin = step * options.batch_size;
        const std::size_t count = std::min(options.batch_size, n_train - begin);
        return std::vector<std::size_t>(order.begin() + std::ptrdiff_t(begin), order.begin() + std::ptrdiff_t(begin + count));
    };
    for (std::size_t epoch = 0; epoch < options.epochs && !model.stop_requested(); ++epoch) {
        threads.begin_epoch();
        if (verbose > 0) out << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
        for (auto& cb : options.callbacks) cb->on_epoch_begin(int(epoch), {});
        if (options.shuffle) std::shuffle(order.begin(), order.end(), shuffle_rng);
        std::optional<Progbar> bar;
        if (verbose == 1) bar.emplace(steps, out, dynamic);
        const auto start = std::chrono::steady_clock::now();

        Running running(objective.names);
        std::size_t step = 0;
        std::vector<double> values;
        std::vector<std::size_t> ahead;
        bool pending = false;  // the prefetcher holds (or is copying) the rows `ahead`
        for (; step < steps && !model.stop_requested(); ++step) {
            const std::size_t begin = step * options.batch_size;
            const std::size_t count = std::min(options.batch_size, n_train - begin);
            for (auto& cb : options.callbacks) cb->on_batch_begin(int(step), {});
            threads.before_step();
            const std::span<const std::size_t> local = dist.local_batch({order.data() + begin, count});
            // A process without samples in this global batch still runs the step, on a stand-in
            // (the batch's first sample) that adds nothing to collectives and weighs 0 in the
            // gradient: a collective op in the model (synchronized BatchNormalization) would
            // otherwise wait for it forever. Without collectives the step keeps nothing (an
            // unsynchronized BatchNormalization leaves its moving statistics alone) and costs one
            // sample's forward and backward.
            const bool stand_in = distributed && local.empty();
            const std::span<const std::size_t> rows = stand_in ? std::span<const std::size_t>(order.data() + begin, 1) : local;
            std::vector<Array> batch_x, batch_y;
            if (pending) std::tie(batch_x, batch_y) = prefetch.take();
            if (!pending || !std::equal(rows.begin(), rows.end(), ahead.begin(), ahead.end())) {
                batch_x = gather_rows_of(x_all, rows);
                batch_y = gather_rows_of(y_all, rows);
            }
            // Copy the next batch ahead: on the prefetcher's thread when a core is idle, else
            // in the moments the pool's workers wait between tasks (a third thread next to the
            // products' threads slowed every product it overlapped).
            pending = !distributed && step + 1 < steps;
            if (pending) {
                ahead = global_of(step + 1);
                prefetch.start(ahead, detail::active_threads() < hardware_threads);
            }
            values.clear();
            optimizer.zero_grad();
            std::vector<Tensor> outs, ys;
            if (!rows.empty()) {
                std::optional<ProcessGroupScope> silent;
                if (stand_in) silent.emplace(dist.process_group(), false);
                const std::vector<Tensor> xs = as_constants(std::move(batch_x));
                ys = as_constants(std::move(batch_y));
                outs = model.forward_all(xs, objective.fused);
                dist.backward(objective.loss(outs, ys, values));  // may start reducing gradients early
                if (stand_in) values.clear();                      // not this process's samples
            }
            if (distributed) {
                for (auto& p : params) {  // moving statistics excepted: no gradient trains them
                    if (p.requires_grad() && !p.grad().defined()) p.set_grad(zeros_like(p));
                }
                dist.reduce_gradients(params, local.size(), count);
            }
            optimizer.step();
            threads.after_step();

            if (!local.empty() && objective.has_metrics()) objective.metrics(outs, ys, values);
            if (distributed) {
                // The global batch's values: the bar, the callbacks and the stops they decide on
                // are then the same on every process.
                global_values(dist, values, local.size(), objective.names.size());
                running.add(values, count);
            } else if (!local.empty()) {
                running.add(values, local.size());
            }
            if (!options.callbacks.empty()) {
                Logs logs;
                for (auto& [k, v] : running.means()) logs[k] = v;
                if (!values.empty()) logs["loss"] = values[0];  // the batch's own loss (TerminateOnNaN watches it)
                for (auto& cb : options.callbacks) cb->on_batch_end(int(step), logs);
            }
            if (distributed) agree_on_stop(dist, model);
            if (bar && step + 1 < steps) bar->update(step + 1, running.means());
        }
        if (distributed && !state.empty()) dist.average_state(state);

        ProgressValues val_values;
        if (val && !model.stop_requested()) {
            auto r = evaluate(model, refs(val->x), refs(val->y),
                              {.batch_size = options.batch_size, .verbose = 0, .distribution = options.distribution});
            for (const auto& n : objective.names) val_values.emplace_back("val_" + n, r.at(n));
        }
        Logs logs;
        for (auto& [k, v] : running.means()) logs[k] = v;
        for (auto& [k, v] : val_values) logs[k] = v;
        for (auto& cb : options.callbacks) cb->on_epoch_logs(int(epoch), logs);
        history.append(logs);
        // Entries the callbacks added ("learning_rate") are shown after the validation values, as Keras 3.
        for (auto& [k, v] : logs) {
            const auto logged = [&k](const std::string& n) { return n == k || "val_" + n == k; };
            if (std::none_of(objective.names.begin(), objective.names.end(), logged)) val_values.emplace_back(k, v);
        }
        if (bar) {
            if (step == steps) bar->update(steps, running.means(), val_values);
            else out << "\n";  // stopped mid-epoch: end the redrawn line
        } else if (verbose == 2) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            std::string line = std::to_string(step) + "/" + std::to_string(steps) + " - " + std::to_string(long(std::lround(secs))) + "s";
            for (auto& [k, v] : running.means()) line += " - " + k + ": " + std::to_string(v).substr(0, 6);
            for (auto& [k, v] : val_values) line += " - " + k + ": " + std::to_string(v).substr(0, 6);
            out << line << "\n";
        }
        for (auto& cb : options.callbacks) cb->on_epoch_end(int(epoch), logs);
        if (distributed) agree_on_stop(dist, model);
    }
    history.stop_reason = model.stop_reason();
    if (!history.stop_reason.empty() && verbose > 0) out << history.stop_reason << "\n";
    for (auto& cb : options.callbacks) cb->on_train_end({});
    for (auto& cb : options.callbacks) cb->set_model(nullptr);
    out.flush();
    return history;
}

std::map<std::string, double> evaluate(nn::Model& model, const ArrayRefs& x, const ArrayRefs& y,
                                       const EvaluateOptions& options) {
    model.require_compiled("evaluate");
    if (options.batch_size == 0) throw ValueError("evaluate: batch_size must be positive, got 0");
    check_data("evaluate", model, x, y);
    const Objective objective(model);
    Distribution& dist = pick(options.distribution);
    NoGradGuard no_grad;
    ModeGuard mode(model, false);
    const std::size_t n = samples(*x[0]);
    const std::size_t steps = (n + options.batch_size - 1) / options.batch_size;
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    Running running(objective.names);
    std::vector<double> values;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t begin = 0; begin < n; begin += options.batch_size) {
        const std::size_t count = std::min(n - begin, options.batch_size);
        const std::span<const std::size_t> local = dist.local_batch({all.data() + begin, count});
        if (local.empty()) continue;
        const std::vector<Tensor> xs = gather_batch(x, local);
        const std::vector<Tensor> ys = gather_batch(y, local);
        const std::vector<Tensor> outs = model.forward_all(xs, objective.fused);
        values.clear();
        objective.loss(outs, ys, values);
        objective.metrics(outs, ys, values);
        running.add(values, local.size());
    }
    running.reduce(dist);
    std::map<std::string, double> result;
    for (auto& [k, v] : running.means()) result[k] = v;
    if (options.verbose > 0 && dist.is_chief()) {
        std::ostream& out = options.out ? *options.out : std::cout;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        out << format_progress(steps, steps, secs, running.means()) << "\n";
    }
    return result;
}

std::vector<Array> predict(nn::Model& model, const ArrayRefs& x, const PredictOptions& options) {
    if (options.batch_size == 0) throw ValueError("predict: batch_size must be positive, got 0");
    check_inputs("predict", model, x);
    NoGradGuard no_grad;
    ModeGuard mode(model, false);
    const std::size_t n = samples(*x[0]);
    std::vector<Array> result;
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    for (std::size_t begin = 0; begin < n; begin += options.batch_size) {
        const std::size_t count = std::min(n - begin, options.batch_size);
        const std::vector<Tensor> outs = model.forward_all(gather_batch(x, {all.data() + begin, count}));
        if (result.empty()) {  // shapes from the first batch: (n, per-sample shape)
            for (const auto& o : outs) {
                Array::shape_type shape = o.shape();
                if (shape.empty()) shape.push_back(1);
                shape[0] = n;
                result.emplace_back(shape);
            }
        }
        for (std::size_t i = 0; i < outs.size(); ++i) {
            const std::size_t row = result[i].size() / n;
            if (outs[i].size() != count * row) {
                throw ShapeError("predict: output " + std::to_string(i) + " of model '" + model.name() + "' has shape " +
                                 shape_str(outs[i].shape()) + " for a batch of " + std::to_string(count) + " samples");
            }
            std::memcpy(result[i].data() + begin * row, outs[i].value().data(), count * row * sizeof(float));
        }
    }
    return result;
}

}  // namespace impl

History fit(nn::Model& model, const std::vector<Array>& x, const std::vector<Array>& y, const FitOptions& options) {
    return impl::fit(model, impl::refs(x), impl::refs(y), options);
}

std::map<std::string, double> evaluate(nn::Model& model, const std::vector<Array>& x, const std::vector<Array>& y,
                                       const EvaluateOptions& options) {
    return impl::evaluate(model, impl::refs(x), impl::refs(y), options);
}

std::vector<Array> predict(nn::Model& model, const std::vector<Array>& x, const PredictOptions& options) {
    return impl::predict(model, impl::refs(x), options);
}

}  // namespace xgrad::train
