#pragma once
/// @file epoch_timer.hpp
/// The examples' --bench timing: a callback that times each epoch, and their median.

#include <algorithm>
#include <chrono>
#include <vector>
#include <xgrad/train/callbacks.hpp>

namespace xgrad::examples {

/// Times each epoch of fit(); median() is what the RESULT lines report.
class EpochTimer : public train::Callback {
public:
    void on_epoch_begin(int, const train::Logs&) override { start_ = std::chrono::steady_clock::now(); }
    void on_epoch_end(int, const train::Logs&) override {
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
    /// The median epoch time in seconds (0 before any epoch).
    double median() const {
        std::vector<double> v = seconds;
        std::sort(v.begin(), v.end());
        return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
    }
    std::vector<double> seconds;  ///< one entry per finished epoch

private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace xgrad::examples
