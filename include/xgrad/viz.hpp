#pragma once
/// @file viz.hpp
/// Umbrella header of the diagram tools: DOT export and in-process rendering.

#include "xgrad/viz/dot.hpp"
#include "xgrad/viz/render.hpp"
