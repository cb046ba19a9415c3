// EarlyStopping (with restore_best_weights) and TerminateOnNaN.
#include "xgrad/train/callbacks.hpp"

#include <cmath>
#include <cstdio>

#include "train/callback_helpers.hpp"
#include "xgrad/error.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::train {

EarlyStopping::EarlyStopping(std::string monitor_, int patience_, double min_delta_, bool restore_best_weights_)
    : monitor(std::move(monitor_)), patience(patience_), min_delta(std::abs(min_delta_)),
      restore_best_weights(restore_best_weights_) {
    if (patience < 0) throw ValueError("EarlyStopping: patience must be >= 0, got " + std::to_string(patience));
}

void EarlyStopping::on_train_begin(const Logs&) {
    best_ = std::numeric_limits<double>::quiet_NaN();
    best_epoch_ = -1;
    last_epoch_ = -1;
    wait_ = 0;
    restored_ = false;
    best_weights_.clear();
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
    last_epoch_ = epoch;
    const auto current = detail::monitored("EarlyStopping", monitor, logs, model());
    if (!current) return;
    const double v = *current;
    const bool maximize = detail::maximizes(monitor);
    const bool improved = best_epoch_ < 0 || (maximize ? v > best_ + min_delta : v < best_ - min_delta);
    if (improved) {
        best_ = v;
        best_epoch_ = epoch;
        wait_ = 0;
        if (restore_best_weights && model()) {
            best_weights_.clear();
            for (const auto& [n, t] : model()->named_parameters()) best_weights_.emplace_back(n, t.value());
        }
        return;
    }
    if (++wait_ >= patience && model()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.4f", best_);
        model()->stop_training("EarlyStopping: " + monitor + " did not improve for " + std::to_string(wait_) +
                               " epoch(s) (best " + buf + " at epoch " + std::to_string(best_epoch_ + 1) + ")");
    }
}

void EarlyStopping::on_train_end(const Logs&) {
    // The weights after the last epoch are the best ones when that epoch was the best: nothing to do.
    if (!restore_best_weights || !model() || best_weights_.empty() || best_epoch_ == last_epoch_) return;
    auto named = model()->named_parameters();
    // The same model that was trained: same names, same shapes (checked all before any copy).
    bool same = named.size() == best_weights_.size();
    for (std::size_t i = 0; same && i < named.size(); ++i) {
        same = named[i].first == best_weights_[i].first && named[i].second.value().shape() == best_weights_[i].second.shape();
    }
    if (!same) {
        throw ValueError("EarlyStopping: cannot restore the best weights: model '" + model()->name() +
                         "' no longer has the parameters it had at epoch " + std::to_string(best_epoch_ + 1));
    }
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < named.size(); ++i) named[i].second.data() = best_weights_[i].second;
    restored_ = true;
}

void TerminateOnNaN::on_epoch_begin(int epoch, const Logs&) { epoch_ = epoch; }

void TerminateOnNaN::on_batch_end(int batch, const Logs& logs) {
    auto it = logs.find("loss");
    if (it == logs.end() || std::isfinite(it->second) || !model()) return;
    model()->stop_training("TerminateOnNaN: invalid loss " + std::string(std::isnan(it->second) ? "nan" : "inf") +
                           " at epoch " + std::to_string(epoch_ + 1) + ", batch " + std::to_string(batch + 1) +
                           "; terminating training");
}

}  // namespace xgrad::train
