#pragma once
/// @file study.hpp
/// Studying backpropagation: the step-by-step stepper, text traces, diagram frames, the HTML
/// explorer and the optimizer step taken apart.

#include "xgrad/study/explorer.hpp"
#include "xgrad/study/forward.hpp"
#include "xgrad/study/frames.hpp"
#include "xgrad/study/optimizer.hpp"
#include "xgrad/study/pictures.hpp"
#include "xgrad/study/stepper.hpp"
#include "xgrad/study/trace.hpp"
#include "xgrad/study/training_step.hpp"
#include "xgrad/study/update.hpp"
