#pragma once
// Private to train: a model's tensors as a weights file holds them, both ways. save_weights and
// Model::save write the same tensors; load_weights and load_model apply them the same way.

#include <string>

#include "xgrad/nn/model.hpp"
#include "xgrad/train/weights_io.hpp"

namespace xgrad::train::detail {

/// The parameters by dotted name, then, when `include_optimizer` and the model is compiled, the
/// optimizer's state as "@optimizer:<name>/<key>".
NamedArrays model_tensors(const nn::Model& model, bool include_optimizer);

/// Checks `tensors` (read from `path`) against `model`'s parameters, and its optimizer's state
/// when `include_optimizer` and the model is compiled, then copies them in. On any error
/// (`who` starts the message) nothing changes.
void apply_tensors(nn::Model& model, NamedArrays tensors, const std::string& path, const std::string& who,
                   bool include_optimizer);

}  // namespace xgrad::train::detail
