#pragma once
/// @file explorer.hpp
/// A self-contained HTML page to click through a backward pass: one diagram per step (inline
/// SVG), Previous/Next buttons, arrow keys, a slider, and each step's formulas and values.

#include <string>
#include <vector>

#include "xgrad/study/stepper.hpp"
#include "xgrad/study/trace.hpp"
#include "xgrad/viz/dot.hpp"

namespace xgrad::study {

/// Options of write_explorer.
struct ExplorerOptions {
    std::string title = "xgrad: backpropagation step by step";  ///< page heading
    std::size_t max_elements = 16;  ///< values with more elements are summarised beside the picture
    int precision = 4;              ///< significant digits of printed values
    viz::DotOptions diagram;        ///< base options of the frames (highlights, gradients, title are set per step)
};

/// Writes ONE HTML file (no network access needed: styles, script and SVG frames inline) that
/// shows `steps` one at a time. `svg_frames` holds one SVG document per step (frame i beside
/// step i), or is empty for a page without pictures. The file is written to a temporary and
/// renamed. The page opens at step 1; `#step=K` opens step K and `#autoclick=N` clicks Next
/// N times on load (real click events, used by the headless-browser test).
/// ValueError when there are no steps or the frame count differs; IoError when writing fails.
void write_explorer(const std::vector<StepRecord>& steps, const std::vector<std::string>& svg_frames,
                    const std::string& path, const ExplorerOptions& options = {});

/// Runs `stepper` from the start to the end, draws one frame per step (study::frame_svgs, via
/// xgrad::viz) and writes the explorer. The stepper is left at the end.
void write_explorer(BackwardStepper& stepper, const std::string& path, const ExplorerOptions& options = {});

/// An SVG document made fit to inline in HTML: the XML prolog, DOCTYPE and namespace
/// declarations (URLs the HTML parser does not need) are removed.
std::string inline_svg(const std::string& svg);

}  // namespace xgrad::study
