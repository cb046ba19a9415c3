#pragma once
/// @file frames.hpp
/// One diagram per backward step, drawn by xgrad::viz: the stepped node and its input edges
/// highlighted, and every gradient known after the step written on its tensor.

#include <map>
#include <string>
#include <vector>

#include "xgrad/study/stepper.hpp"
#include "xgrad/viz/dot.hpp"

namespace xgrad::study {

/// `base` with the highlights, gradients and title of one step: the stepped node (and its op)
/// highlighted, the edges (input, node) highlighted, `gradients` (what is known after
/// the step, BackwardStepper::gradients()) shown, title "step k/N: ...".
viz::DotOptions frame_options(const StepRecord& step, std::map<std::uint64_t, Array> gradients,
                              const viz::DotOptions& base = {});

/// The DOT text of every step of the pass, in order: runs `stepper` from the start to the end
/// (it is left at the end). Only gradients the stepper has computed are drawn: the tensors'
/// own grad() are hidden, so a frame never shows a gradient before its step.
std::vector<std::string> frame_dots(BackwardStepper& stepper, const viz::DotOptions& base = {});

/// frame_dots laid out and rendered as SVG documents (text), through viz::render.
std::vector<std::string> frame_svgs(BackwardStepper& stepper, const viz::DotOptions& base = {});

/// Renders every frame to `dir`/step_001.<extension>, step_002, ... ("svg" or "png"; the
/// directory is created) and returns the paths. IoError/ValueError from viz::render.
std::vector<std::string> write_frames(BackwardStepper& stepper, const std::string& dir,
                                      const std::string& extension = "svg", const viz::DotOptions& base = {});

}  // namespace xgrad::study
