#pragma once
// Private to nn: the Keras summary table shared by Sequential, functional and other models.

#include <cstddef>
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/xt.hpp"

namespace xgrad::nn::detail {

/// "(None, 32)": a per-sample shape with the batch axis shown as None; "?" when unknown.
std::string batch_shape(const Shape& s);
/// "1,234,567".
std::string with_commas(std::size_t n);
/// Keras' table: a title line, headers padded to `widths` (the last column unpadded; the rules
/// are 1 + Σ widths wide), one row of cells per layer (a blank line between rows; a cell list
/// longer than a row continues on lines of its own in the last column), then the total,
/// trainable and non-trainable parameter counts. Like Keras, a cell longer than its column is
/// cut ("max_pooling2d_1 (MaxPooling"); a cell with '\n' in it takes one line per part.
std::string summary_table(const std::string& model_name, const std::vector<std::string>& headers,
                          const std::vector<std::size_t>& widths,
                          const std::vector<std::vector<std::string>>& rows, std::size_t total_params,
                          std::size_t non_trainable_params = 0);

/// Elements of the parameters of `m` that never get a gradient (BatchNormalization's moving
/// statistics): Keras' "Non-trainable params".
std::size_t non_trainable_params(const Module& m);

}  // namespace xgrad::nn::detail
