#pragma once
/// @file history.hpp
/// What fit() returns: per-epoch values of the loss, the metrics and their val_* twins.

#include <map>
#include <string>
#include <vector>

#include "xgrad/train/callbacks.hpp"

namespace xgrad::train {

/// Per-epoch training record (Keras' History.history).
struct History {
    std::vector<std::string> keys;                      ///< column order: loss, metrics, val_loss, val_metrics, later keys
    std::map<std::string, std::vector<double>> values;  ///< key -> one value per epoch run
    std::size_t epochs = 0;                             ///< epochs run (fewer than asked after a stop)
    std::string stop_reason;                            ///< why training stopped early ("" if it did not)

    /// The values of `key`; ValueError listing the keys when absent.
    const std::vector<double>& operator[](const std::string& key) const;
    /// Appends one epoch's logs, every key of them: the first call orders its keys as Keras
    /// (loss, the other training entries such as metrics and "learning_rate", val_loss, the other
    /// val_*); a key first seen later is appended to `keys` with NaN for the epochs before it,
    /// and a key missing from an epoch's logs gets NaN there.
    void append(const Logs& logs);
    /// "epoch,loss,accuracy,...\n0,0.25,0.93,...\n" (epochs 0-based like Keras' CSVLogger).
    std::string to_csv() const;
    /// {"epochs":n,"stop_reason":"...","history":{"loss":[...],...}} and a newline, keys in
    /// `keys` order; NaN/Inf as null. Written with nlohmann-json.
    std::string to_json() const;
    /// The History that to_json() wrote (null reads back as NaN).
    /// @throws ValueError naming the problem: not JSON, "epochs" or "history" missing or of the
    ///         wrong type, a column whose length is not epochs, a value that is not a number.
    static History from_json(const std::string& text);
    /// from_json() of a file's contents; IoError when it cannot be opened, ValueError naming the path.
    static History read_json(const std::string& path);
    /// Writes to_csv() to `path` atomically (temporary file, then rename); IoError on failure.
    void write_csv(const std::string& path) const;
    /// Writes to_json() to `path` atomically; IoError on failure.
    void write_json(const std::string& path) const;
};

}  // namespace xgrad::train
