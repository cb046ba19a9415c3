// EarlyStopping and TerminateOnNaN.
#include "xgrad/train/callbacks.hpp"

#include <cmath>
#include <cstdio>

#include "xgrad/error.hpp"
#include "xgrad/nn/model.hpp"

namespace xgrad::train {

EarlyStopping::EarlyStopping(std::string monitor_, int patience_, double min_delta_)
    : monitor(std::move(monitor_)), patience(patience_), min_delta(std::abs(min_delta_)) {
    if (patience < 0) throw ValueError("EarlyStopping: patience must be >= 0, got " + std::to_string(patience));
}

void EarlyStopping::on_train_begin(const Logs&) {
    best_ = std::numeric_limits<double>::quiet_NaN();
    best_epoch_ = -1;
    wait_ = 0;
}

void EarlyStopping::on_epoch_end(int epoch, const Logs& logs) {
    auto it = logs.find(monitor);
    if (it == logs.end()) {
        std::string keys;
        for (auto& [k, v] : logs) keys += (keys.empty() ? "" : ", ") + k;
        throw ValueError("EarlyStopping: monitored quantity '" + monitor + "' is not in the logs; available: " + keys);
    }
    const double v = it->second;
    const bool maximize = monitor.find("acc") != std::string::npos;
    const bool improved = best_epoch_ < 0 || (maximize ? v > best_ + min_delta : v < best_ - min_delta);
    if (improved) {
        best_ = v;
        best_epoch_ = epoch;
        wait_ = 0;
        return;
    }
    if (++wait_ >= patience && model()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.4f", best_);
        model()->stop_training("EarlyStopping: " + monitor + " did not improve for " + std::to_string(wait_) +
                               " epoch(s) (best " + buf + " at epoch " + std::to_string(best_epoch_ + 1) + ")");
    }
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
