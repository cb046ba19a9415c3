#pragma once
/// @file viz/render.hpp
/// Rendering DOT text to files in-process through libgvc (no `dot` executable needed).

#include <string>

#include "xgrad/viz/dot.hpp"

namespace xgrad::viz {

/// Lays out `dot` with Graphviz's dot engine and writes it to `path`, in the format named by
/// its extension: .svg, .png, .pdf, or .dot (the text itself). The file is written to
/// `path + ".tmp"` and renamed, so it is never half-written. Throws ValueError for an unknown
/// extension or DOT text Graphviz rejects (with Graphviz's message), IoError naming the path
/// when the directory is missing or the file cannot be written.
void render(const std::string& dot, const std::string& path);

/// render(to_dot(root, options), path).
void save_diagram(const Tensor& root, const std::string& path, const DotOptions& options = {});

}  // namespace xgrad::viz
