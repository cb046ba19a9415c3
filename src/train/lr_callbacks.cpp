// LearningRateScheduler and ReduceLROnPlateau: Keras' rules, through Optimizer::set_learning_rate.
#include "xgrad/train/lr_callbacks.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "train/callback_helpers.hpp"
#include "xgrad/error.hpp"
#include "xgrad/optim/optimizer.hpp"

namespace xgrad::train {

LearningRateScheduler::LearningRateScheduler(std::function<double(int, double)> schedule, int verbose)
    : schedule_(std::move(schedule)), verbose_(verbose) {
    if (!schedule_) throw ValueError("LearningRateScheduler: the schedule function is empty");
}

void LearningRateScheduler::on_epoch_begin(int epoch, const Logs&) {
    optim::Optimizer& optimizer = detail::optimizer_of("LearningRateScheduler", model());
    const double lr = schedule_(epoch, double(optimizer.learning_rate()));
    // Checked here, in double, so the message names this callback and the schedule's own value
    // (set_learning_rate would see it rounded to float, and name only the optimizer).
    const float rounded = float(lr);
    if (!(std::isfinite(lr) && std::isfinite(rounded) && rounded > 0.f)) {
        throw ValueError("LearningRateScheduler: the schedule returned " + detail::short_number(lr) + " for epoch " +
                         std::to_string(epoch) + " (0-based); a learning rate must be finite and positive" +
                         (std::isfinite(lr) && lr > 0 ? " in float" : ""));
    }
    optimizer.set_learning_rate(rounded);
    if (verbose_ > 0) {
        std::cout << "\nEpoch " << epoch + 1 << ": LearningRateScheduler setting learning rate to "
                  << detail::python_float(lr) << "." << std::endl;
    }
}

void LearningRateScheduler::on_epoch_logs(int, Logs& logs) {
    logs["learning_rate"] = double(detail::optimizer_of("LearningRateScheduler", model()).learning_rate());
}

ReduceLROnPlateau::ReduceLROnPlateau(std::string monitor, double factor, int patience, double min_delta, int cooldown,
                                     double min_lr, int verbose)
    : monitor_(std::move(monitor)), factor_(factor), min_delta_(min_delta), min_lr_(min_lr), patience_(patience),
      cooldown_(cooldown), verbose_(verbose), maximize_(detail::maximizes(monitor_)) {
    const std::string who = "ReduceLROnPlateau: ";
    if (!(factor > 0.0 && factor < 1.0)) {
        throw ValueError(who + "factor must be in (0, 1) (the rate is multiplied by it), got " + detail::short_number(factor));
    }
    if (patience < 0) throw ValueError(who + "patience must be >= 0, got " + std::to_string(patience));
    if (!(min_delta >= 0.0 && std::isfinite(min_delta))) {
        throw ValueError(who + "min_delta must be finite and >= 0, got " + detail::short_number(min_delta));
    }
    if (cooldown < 0) throw ValueError(who + "cooldown must be >= 0, got " + std::to_string(cooldown));
    if (!(min_lr >= 0.0 && std::isfinite(min_lr))) {
        throw ValueError(who + "min_lr must be finite and >= 0, got " + detail::short_number(min_lr));
    }
    on_train_begin({});
}

void ReduceLROnPlateau::on_train_begin(const Logs&) {
    best_ = maximize_ ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    wait_ = 0;
    cooldown_left_ = 0;
}

void ReduceLROnPlateau::on_epoch_logs(int, Logs& logs) {
    logs["learning_rate"] = double(detail::optimizer_of("ReduceLROnPlateau", model()).learning_rate());
}

void ReduceLROnPlateau::on_epoch_end(int epoch, const Logs& logs) {
    const auto current = detail::monitored("ReduceLROnPlateau", monitor_, logs, model());
    if (!current) return;
    optim::Optimizer& optimizer = detail::optimizer_of("ReduceLROnPlateau", model());
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        wait_ = 0;
    }
    const double v = *current;
    if (maximize_ ? v > best_ + min_delta_ : v < best_ - min_delta_) {
        best_ = v;
        wait_ = 0;
        return;
    }
    if (cooldown_left_ > 0 || ++wait_ < patience_) return;
    const double old_lr = double(optimizer.learning_rate());
    if (!(old_lr > double(float(min_lr_)))) return;  // already at the floor (Keras compares in float32)
    const double new_lr = std::max(old_lr * factor_, min_lr_);
    if (!(float(new_lr) > 0.f)) return;  // would round to 0 in float: keep the smallest rate
    optimizer.set_learning_rate(float(new_lr));
    cooldown_left_ = cooldown_;
    wait_ = 0;
    if (verbose_ > 0) {
        std::cout << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to "
                  << detail::python_float(new_lr) << "." << std::endl;
    }
}

}  // namespace xgrad::train
