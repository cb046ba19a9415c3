#pragma once
/// @file fit_options.hpp
/// Options of Model::fit, evaluate and predict (Keras' keyword arguments) and the weights files.

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "xgrad/train/callbacks.hpp"
#include "xgrad/xt.hpp"

namespace xgrad::train {

class Distribution;

/// Validation inputs and targets: `std::pair{x_val, y_val}` for a one-input, one-output model,
/// or one array per input and per output.
struct ValidationData {
    std::vector<Array> x;  ///< one array per model input
    std::vector<Array> y;  ///< one array per model output
    /// (x_val, y_val) of a one-input, one-output model.
    ValidationData(std::pair<Array, Array> xy);  // NOLINT(google-explicit-constructor): Keras' tuple
    /// One array per input and per output.
    ValidationData(std::vector<Array> x_val, std::vector<Array> y_val) : x(std::move(x_val)), y(std::move(y_val)) {}
};

/// Options of fit(): `network.fit(x, y, {.epochs = 5, .batch_size = 128})`.
struct FitOptions {
    std::size_t epochs = 1;          ///< passes over the training data
    std::size_t batch_size = 32;     ///< samples per step; the last partial batch is a step too
    bool shuffle = true;             ///< reshuffle the training samples every epoch (xgrad::generator())
    double validation_split = 0.0;   ///< fraction in [0, 1) held out from the END of x/y (before shuffling)
    std::optional<ValidationData> validation_data = std::nullopt;  ///< (x_val, y_val); wins over the split
    int verbose = 1;                 ///< 0 silent, 1 progress bar, 2 one line per epoch
    std::vector<std::shared_ptr<Callback>> callbacks = {};  ///< called in order
    std::ostream* out = nullptr;     ///< progress output; nullptr = std::cout (bar redrawn only on a terminal)
    /// With more than one thread: time a few steps on one thread at the start of each epoch and
    /// train the rest of it with whichever setting is faster (another busy process can make one
    /// thread faster). The results do not depend on it: products are cut into blocks of rows or
    /// columns that each sum in the same order, so any thread count gives the same bits.
    bool adapt_threads = true;
    /// Data-parallel hooks (xgrad::dist); nullptr = the process-wide one (train::distribution(),
    /// single-process unless installed with train::set_distribution).
    std::shared_ptr<Distribution> distribution = nullptr;
};

/// Options of evaluate().
struct EvaluateOptions {
    std::size_t batch_size = 32;  ///< samples per forward pass
    int verbose = 1;              ///< 0 silent, 1 one Keras-style line
    std::ostream* out = nullptr;  ///< nullptr = std::cout
    /// Data-parallel hooks: each process evaluates its share of every batch and the sums are
    /// reduced; nullptr = train::distribution().
    std::shared_ptr<Distribution> distribution = nullptr;
};

/// Options of predict().
struct PredictOptions {
    std::size_t batch_size = 32;  ///< samples per forward pass
};

/// Options of save_weights().
struct SaveOptions {
    bool include_optimizer = true;  ///< also store the optimizer's state (when compiled)
};

/// Options of load_weights().
struct LoadOptions {
    bool include_optimizer = true;  ///< restore optimizer state found in the file (when compiled)
};

}  // namespace xgrad::train
