#pragma once
/// @file callbacks.hpp
/// Training callbacks (Keras' hooks): a base with on_*_begin/end, EarlyStopping (optionally
/// restoring the best weights), TerminateOnNaN and LambdaCallback. A callback stops training
/// through model()->stop_training(reason). Learning-rate control is in lr_callbacks.hpp,
/// checkpoints and CSV logs in file_callbacks.hpp.

#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xgrad/xt.hpp"

namespace xgrad::nn {
class Model;
}

namespace xgrad::train {

/// Values passed to callbacks: "loss", metric names, and at epoch end "val_*".
using Logs = std::map<std::string, double>;

/// Base of every callback; every hook does nothing by default. Epoch and batch numbers are
/// 0-based (Keras); on_batch_end's logs hold the batch's "loss" and the running means.
class Callback {
public:
    virtual ~Callback() = default;
    /// Called once before the first epoch.
    virtual void on_train_begin(const Logs& /*logs*/) {}
    /// Called once after the last epoch (also after an early stop).
    virtual void on_train_end(const Logs& /*logs*/) {}
    /// Called before each epoch.
    virtual void on_epoch_begin(int /*epoch*/, const Logs& /*logs*/) {}
    /// Called after each epoch with the epoch's means and validation values, and the entries
    /// every callback's on_epoch_logs added.
    virtual void on_epoch_end(int /*epoch*/, const Logs& /*logs*/) {}
    /// Called after each epoch, before History records the epoch and before any on_epoch_end:
    /// adds entries to the epoch's logs (where a Keras callback writes into its `logs` dict).
    /// LearningRateScheduler and ReduceLROnPlateau add "learning_rate", the rate the epoch used.
    virtual void on_epoch_logs(int /*epoch*/, Logs& /*logs*/) {}
    /// Called before each training batch.
    virtual void on_batch_begin(int /*batch*/, const Logs& /*logs*/) {}
    /// Called after each training batch.
    virtual void on_batch_end(int /*batch*/, const Logs& /*logs*/) {}

    /// The model being trained (set by fit before on_train_begin, any nn::Model). Parameters'
    /// gradients are still readable in on_batch_end (the optimizer clears them before the next
    /// backward, not after its step).
    nn::Model* model() const { return model_; }
    /// Set by fit.
    void set_model(nn::Model* model) { model_ = model; }

private:
    nn::Model* model_ = nullptr;
};

/// Stops training when `monitor` has not improved by more than `min_delta` for `patience`
/// epochs. Quantities whose name contains "acc" are maximised, others minimised.
///
/// A monitored entry missing from an epoch's logs is a ValueError listing the entries there,
/// unless training was stopped during that epoch (TerminateOnNaN: no validation ran), whose
/// logs are then skipped. ReduceLROnPlateau and ModelCheckpoint do the same.
///
/// With `restore_best_weights`, every parameter's value (trainable ones and state such as
/// BatchNormalization's moving statistics: all of named_parameters()) is copied at the end of
/// each epoch that improves on the best, and on_train_end copies them back when the last epoch
/// that reached on_epoch_end is not the best one, whether training stopped early or ran all its
/// epochs (Keras 3; Keras 2 restored only on an early stop). The optimizer's state is not
/// restored (as Keras).
class EarlyStopping : public Callback {
public:
    /// Watches `monitor` ("val_loss", "loss", "val_accuracy", ...). ValueError for patience < 0.
    explicit EarlyStopping(std::string monitor = "val_loss", int patience = 0, double min_delta = 0.0,
                           bool restore_best_weights = false);
    void on_train_begin(const Logs& logs) override;
    void on_epoch_end(int epoch, const Logs& logs) override;
    void on_train_end(const Logs& logs) override;
    /// The epoch (0-based) whose value was best, -1 before any.
    int best_epoch() const { return best_epoch_; }
    /// The best value seen.
    double best() const { return best_; }
    /// True when the last on_train_end copied the best epoch's weights back.
    bool restored() const { return restored_; }

    std::string monitor;        ///< the watched log entry
    int patience;               ///< epochs without improvement before stopping
    double min_delta;           ///< smallest change that counts as an improvement
    bool restore_best_weights;  ///< put the best epoch's weights back at the end of training

private:
    double best_ = std::numeric_limits<double>::quiet_NaN();
    int best_epoch_ = -1;
    int last_epoch_ = -1;  // the last epoch whose on_epoch_end ran
    int wait_ = 0;
    bool restored_ = false;
    std::vector<std::pair<std::string, Array>> best_weights_;  // named_parameters() at best_epoch_
};

/// Stops training at the first batch whose loss is NaN or infinite; the stop reason names
/// the epoch and batch (1-based, as printed): "TerminateOnNaN: invalid loss nan at epoch 2, batch 17".
class TerminateOnNaN : public Callback {
public:
    void on_epoch_begin(int epoch, const Logs& logs) override;
    void on_batch_end(int batch, const Logs& logs) override;

private:
    int epoch_ = 0;
};

/// A callback made of optional functions (handy in tests and small scripts).
class LambdaCallback : public Callback {
public:
    std::function<void(int, const Logs&)> epoch_begin;  ///< on_epoch_begin
    std::function<void(int, const Logs&)> epoch_end;    ///< on_epoch_end
    std::function<void(int, const Logs&)> batch_begin;  ///< on_batch_begin
    std::function<void(int, const Logs&)> batch_end;    ///< on_batch_end
    void on_epoch_begin(int e, const Logs& l) override { if (epoch_begin) epoch_begin(e, l); }
    void on_epoch_end(int e, const Logs& l) override { if (epoch_end) epoch_end(e, l); }
    void on_batch_begin(int b, const Logs& l) override { if (batch_begin) batch_begin(b, l); }
    void on_batch_end(int b, const Logs& l) override { if (batch_end) batch_end(b, l); }
};

}  // namespace xgrad::train
