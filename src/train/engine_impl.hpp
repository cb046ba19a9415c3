#pragma once
// Private to train: the engine on borrowed arrays, so Model::fit(x, y) never copies a dataset
// into a std::vector<Array>.

#include <map>
#include <string>
#include <vector>

#include "xgrad/train/engine.hpp"

namespace xgrad::train::impl {

/// Arrays the caller owns, one per input or output.
using ArrayRefs = std::vector<const Array*>;

/// train::fit on borrowed arrays.
History fit(nn::Model& model, const ArrayRefs& x, const ArrayRefs& y, const FitOptions& options);
/// train::evaluate on borrowed arrays.
std::map<std::string, double> evaluate(nn::Model& model, const ArrayRefs& x, const ArrayRefs& y,
                                       const EvaluateOptions& options);
/// train::predict on borrowed arrays.
std::vector<Array> predict(nn::Model& model, const ArrayRefs& x, const PredictOptions& options);
/// Pointers to the elements of `v`.
ArrayRefs refs(const std::vector<Array>& v);

}  // namespace xgrad::train::impl
