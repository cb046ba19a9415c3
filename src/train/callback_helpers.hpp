#pragma once
// Private to train: what the callbacks share. Which way a monitored quantity improves, how an
// entry missing from the logs is treated (the same in EarlyStopping, ReduceLROnPlateau and
// ModelCheckpoint), the optimizer a callback changes, and numbers as Python prints them (Keras'
// file names and CSV cells).

#include <optional>
#include <string>

#include "xgrad/train/callbacks.hpp"

namespace xgrad::optim {
class Optimizer;
}

namespace xgrad::train::detail {

/// Keras' mode "auto": a quantity whose name contains "acc" is maximised, any other minimised.
bool maximizes(const std::string& monitor);

/// The keys of `logs`, comma separated ("loss, val_loss").
std::string key_list(const Logs& logs);

/// logs[monitor]. When it is missing: std::nullopt if training was stopped during this epoch
/// (its logs can lack the val_* entries: no validation ran), else ValueError
/// "<who>: monitored quantity '<monitor>' is not in the logs; available: <keys>".
std::optional<double> monitored(const std::string& who, const std::string& monitor, const Logs& logs,
                                const nn::Model* model);

/// The optimizer of the model `who` is attached to. ValueError naming `who` when the callback
/// has no model (its hooks called outside fit without set_model), and the model's own
/// ValueError when it is not compiled.
optim::Optimizer& optimizer_of(const std::string& who, nn::Model* model);

/// Python's str(float) (repr): the shortest digits that read back as `v`; fixed notation for
/// 1e-4 <= |v| < 1e16 with at least one decimal ("0.5", "3.0"), else "1e-05", "1.5e+16";
/// "nan", "inf", "-inf".
std::string python_float(double v);

/// `v` with up to 9 significant digits for messages ("0.001", "-1", "nan").
std::string short_number(double v);

}  // namespace xgrad::train::detail
