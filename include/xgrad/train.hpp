#pragma once
/// @file train.hpp
/// The training engine and its parts: fit/evaluate/predict for any nn::Model, options,
/// callbacks (learning-rate control, checkpoints, CSV logs, HtmlReport), History, the progress
/// bar, weights and whole-model files and the data-parallel hooks.

#include "xgrad/nn/model.hpp"
#include "xgrad/train/callbacks.hpp"
#include "xgrad/train/distribution.hpp"
#include "xgrad/train/engine.hpp"
#include "xgrad/train/file_callbacks.hpp"
#include "xgrad/train/fit_options.hpp"
#include "xgrad/train/history.hpp"
#include "xgrad/train/html_report.hpp"
#include "xgrad/train/lr_callbacks.hpp"
#include "xgrad/train/model_io.hpp"
#include "xgrad/train/progbar.hpp"
#include "xgrad/train/weights_io.hpp"
