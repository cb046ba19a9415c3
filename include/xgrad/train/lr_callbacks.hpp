#pragma once
/// @file lr_callbacks.hpp
/// Callbacks that change the learning rate during training (Keras' LearningRateScheduler and
/// ReduceLROnPlateau), through the compiled optimizer: model()->optimizer().set_learning_rate().
/// Both add "learning_rate" to every epoch's logs (and so to the History, CSVLogger's file and
/// the progress line): the rate that epoch's steps used.

#include <functional>
#include <limits>
#include <string>

#include "xgrad/train/callbacks.hpp"

namespace xgrad::train {

/// Sets the learning rate at the start of every epoch to `schedule(epoch, lr)`, where epoch is
/// 0-based (as Keras) and lr the optimizer's current rate (widened from float):
///
///     auto halve = std::make_shared<train::LearningRateScheduler>(
///         [](int epoch, double lr) { return epoch < 10 ? lr : lr * 0.5; });
///
/// The optimizer keeps rates in float: a schedule's value is rounded to float when set, and the
/// next call receives the rounded value. A value that is NaN, infinite, zero or negative (or
/// that rounds to 0 or to infinity in float) is a ValueError naming the callback, the epoch and
/// the value, thrown from on_epoch_begin: before the epoch's first step, the rate unchanged.
class LearningRateScheduler : public Callback {
public:
    /// The schedule function. `verbose` > 0 prints "Epoch <n>: LearningRateScheduler setting
    /// learning rate to <lr>." (n 1-based, as Keras) to std::cout at every epoch. ValueError for
    /// an empty function.
    explicit LearningRateScheduler(std::function<double(int epoch, double lr)> schedule, int verbose = 0);
    void on_epoch_begin(int epoch, const Logs& logs) override;
    void on_epoch_logs(int epoch, Logs& logs) override;

private:
    std::function<double(int, double)> schedule_;
    int verbose_;
};

/// Reduces the learning rate when `monitor` has stopped improving (Keras' ReduceLROnPlateau,
/// mode "auto": names containing "acc" are maximised, others minimised). At every epoch end:
///
///     if cooling down: cooldown_left -= 1, wait = 0
///     if value improves on best by more than min_delta: best = value, wait = 0
///     else if not cooling down: wait += 1; if wait >= patience and lr > min_lr:
///         lr = max(lr · factor, min_lr); cooldown_left = cooldown; wait = 0
///
/// ("improves": value < best − min_delta, or value > best + min_delta when maximised; best
/// starts at ±infinity when training begins.) A rate so small that lr · factor rounds to 0 in
/// float is left as it is. The monitored entry missing from the logs is a ValueError listing
/// the entries there (as EarlyStopping), unless training was stopped during that epoch.
class ReduceLROnPlateau : public Callback {
public:
    /// ValueError naming the option and its value for: factor not in (0, 1), patience < 0,
    /// min_delta < 0 or not finite, cooldown < 0, min_lr < 0 or not finite. `verbose` > 0 prints
    /// "Epoch <n>: ReduceLROnPlateau reducing learning rate to <lr>." to std::cout on a reduction.
    explicit ReduceLROnPlateau(std::string monitor = "val_loss", double factor = 0.1, int patience = 10,
                               double min_delta = 1e-4, int cooldown = 0, double min_lr = 0.0, int verbose = 0);
    void on_train_begin(const Logs& logs) override;
    void on_epoch_logs(int epoch, Logs& logs) override;
    void on_epoch_end(int epoch, const Logs& logs) override;

    /// The watched log entry.
    const std::string& monitor() const { return monitor_; }
    /// The best value seen since training began (±infinity before any).
    double best() const { return best_; }
    /// Epochs without improvement counted towards `patience`.
    int wait() const { return wait_; }
    /// Epochs of cooldown left after the last reduction.
    int cooldown_left() const { return cooldown_left_; }

private:
    std::string monitor_;
    double factor_, min_delta_, min_lr_;
    int patience_, cooldown_, verbose_;
    bool maximize_;
    double best_ = std::numeric_limits<double>::infinity();
    int wait_ = 0;
    int cooldown_left_ = 0;
};

}  // namespace xgrad::train
