#pragma once
/// @file file_callbacks.hpp
/// Callbacks that write files during training: ModelCheckpoint (weights at epoch ends) and
/// CSVLogger (one row per epoch). Both write atomically (xgrad::write_file_atomic: a reader
/// never sees a half-written file) and check in on_train_begin, before any training step, that
/// the file's directory exists and is writable (IoError naming the callback and the path).

#include <limits>
#include <string>
#include <vector>

#include "xgrad/train/callbacks.hpp"

namespace xgrad::train {

/// Saves the model at the end of every epoch (Keras' ModelCheckpoint): its weights with
/// Model::save_weights (the xgrad weights file, the optimizer's state included, so a run can be
/// resumed with load_weights into the model built in code), or with `save_weights_only = false`
/// the whole model with Model::save (architecture, weights, compile configuration, optimizer
/// options with the current learning rate, and state: train::load_model rebuilds it).
///
/// `filepath` may hold Python format fields, as Keras formats it with
/// `filepath.format(epoch=epoch + 1, **logs)`:
/// - `{epoch}`: the epoch, 1-based; `{epoch:02d}` zero-padded to 2 digits (`{epoch:3d}` pads
///   with spaces);
/// - `{<log key>}`: an entry of the epoch's logs (`{loss}`, `{val_accuracy}`) as Python's
///   str(float) prints it (`0.25`, `1e-05`); `{val_loss:.4f}` with 4 decimals (types f, e
///   and g, with an optional width and zero fill: `{loss:08.3f}`);
/// - `{{` and `}}` for literal braces.
/// Fields may appear in the file name only, not in its directory, which must exist.
///
/// When things are checked: the pattern's syntax when the callback is constructed (ValueError
/// naming the pattern: an unclosed or stray brace, an empty field, a format spec other than the
/// ones above, `d` on a log entry, a field in the directory part); in on_train_begin, before any
/// step, the directory (IoError) and, with save_weights_only = false, that the whole model can
/// be described (ValueError naming the layer whose type is not registered for saving); the log
/// keys at every epoch end, before anything is written (ValueError naming the pattern, the
/// unknown key and the keys the logs hold): which keys exist is only known then ("val_*" needs
/// validation data, "learning_rate" a learning-rate callback). An epoch during which training
/// was stopped (TerminateOnNaN) lacks the val_* entries; it is not saved when the pattern or
/// the monitor needs a missing one.
///
/// With `save_best_only`, a file is written only when `monitor` improves on the best value seen
/// (strictly: less, or greater for names containing "acc", as Keras' mode "auto"); a monitored
/// entry missing from the logs is a ValueError, as in EarlyStopping. The best value is kept
/// across fit() calls, as Keras.
class ModelCheckpoint : public Callback {
public:
    /// ValueError for a malformed `filepath` (see above).
    explicit ModelCheckpoint(std::string filepath, std::string monitor = "val_loss", bool save_best_only = false,
                             bool save_weights_only = true);
    void on_train_begin(const Logs& logs) override;
    void on_epoch_end(int epoch, const Logs& logs) override;

    /// The file name for `epoch` (0-based, as the hooks receive it; `{epoch}` prints epoch + 1)
    /// and `logs`. ValueError naming the pattern and the key when `logs` lacks a field's key.
    std::string filepath_for(int epoch, const Logs& logs) const;
    /// The pattern as given.
    const std::string& filepath() const { return filepath_; }
    /// The watched log entry (used with save_best_only).
    const std::string& monitor() const { return monitor_; }
    /// The best monitored value saved so far (±infinity before any).
    double best() const { return best_; }
    /// The file written last ("" before any).
    const std::string& last_saved() const { return last_saved_; }

private:
    std::string filepath_, monitor_;
    bool save_best_only_;
    bool save_weights_only_;
    bool maximize_;
    double best_;
    std::string last_saved_;
};

/// Writes one row per epoch to a CSV file (Keras' CSVLogger layout): a header "epoch" then the
/// epoch's log keys sorted, then per epoch its number (0-based, as Keras) and the values as
/// Python's str(float) prints them (shortest round-trip digits: a value reads back exactly).
/// The columns are fixed by the first epoch's logs: a key missing from a later epoch's logs is
/// written "NA" (an epoch stopped by TerminateOnNaN has no val_* values); keys that appear only
/// later are not written. Fields holding the separator, a quote or a line break are quoted.
/// Lines end with "\n" (Keras' csv module writes "\r\n").
///
/// The whole file is rewritten atomically after every epoch, so a reader (or a crash) never
/// finds a half-written row. on_train_begin checks the path (IoError) and writes the file's
/// starting content: empty, or with `append` the existing file's content (then no second
/// header is written unless the file was empty, as Keras).
class CSVLogger : public Callback {
public:
    /// ValueError for an empty filename and for a separator that is a quote, a line break or NUL.
    explicit CSVLogger(std::string filename, char separator = ',', bool append = false);
    void on_train_begin(const Logs& logs) override;
    void on_epoch_end(int epoch, const Logs& logs) override;

    /// Where the rows go.
    const std::string& filename() const { return filename_; }
    /// The file's content as last written.
    std::string text() const;

private:
    std::string cell(const std::string& field) const;

    std::string filename_;
    char separator_;
    bool append_;
    std::string prefix_;  // the file's content before this fit (append), ending with a newline
    bool header_ = true;
    std::vector<std::string> keys_;
    std::string rows_;
};

}  // namespace xgrad::train
