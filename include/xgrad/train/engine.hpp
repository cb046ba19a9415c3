#pragma once
/// @file engine.hpp
/// The one training engine: fit, evaluate and predict for ANY nn::Model (Sequential,
/// functional, wrapped or subclassed). Model::fit/evaluate/predict call these; they are public
/// so a program can drive a model it only knows as nn::Model&.
///
/// One step: gather the batch's rows (constants: no gradient for the data), forward_all (the
/// outputs that end in softmax under categorical cross-entropy are taken as logits and fused),
/// total loss Σ_i w_i·loss_i, zero_grad, backward, Distribution::reduce_gradients, optimizer
/// step. fit switches the model to training mode and evaluate/predict to inference mode, and
/// each restores the previous mode when it returns.

#include <map>
#include <string>
#include <vector>

#include "xgrad/nn/model.hpp"
#include "xgrad/train/fit_options.hpp"
#include "xgrad/train/history.hpp"

namespace xgrad::train {

/// Trains `model` (compiled) on one array per input and one per output; see Model::fit.
History fit(nn::Model& model, const std::vector<Array>& x, const std::vector<Array>& y, const FitOptions& options = {});
/// The loss and metrics of `model` on (x, y), batched, in inference mode; see Model::evaluate.
std::map<std::string, double> evaluate(nn::Model& model, const std::vector<Array>& x, const std::vector<Array>& y,
                                       const EvaluateOptions& options = {});
/// One array per output for `x`, batched, in inference mode; see Model::predict.
std::vector<Array> predict(nn::Model& model, const std::vector<Array>& x, const PredictOptions& options = {});

}  // namespace xgrad::train
