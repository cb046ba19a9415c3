#pragma once
/// @file pictures.hpp
/// Small inline SVG pictures of tensors for the study pages: a vector as an image (a digit, a
/// unit's incoming weights), bars (probabilities against a label, norms per layer) and a
/// histogram. Plain SVG text with fixed number formatting: the same input gives the same bytes.

#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::study {

/// How image_svg maps values to colours.
enum class Palette {
    Gray,      ///< 0 white … 1 black (an MNIST digit: ink is dark), values clipped to [0, 1]
    Diverging  ///< blue (−m) … white (0) … red (+m), m = max |value| (weights, gradients)
};

/// `values` (rows·cols elements, row-major, any shape) as a rows×cols image of `pixel`-sized
/// squares, with a caption under it ("" for none); Diverging adds the scale ±m. ShapeError when the element
/// count is not rows·cols.
std::string image_svg(const Array& values, std::size_t rows, std::size_t cols, Palette palette,
                      const std::string& caption, int pixel = 6);

/// One bar per value with `labels` under them (empty: 0, 1, 2, ...); `marks` (same length, or
/// empty) draws an outlined target bar behind each value, e.g. a one-hot label behind softmax
/// probabilities. Heights are scaled to the largest of values and marks (at least `max_hint`).
/// ValueError when labels or marks have a different length.
std::string bars_svg(const std::vector<double>& values, const std::vector<std::string>& labels,
                     const std::vector<double>& marks, const std::string& caption, double max_hint = 0);

/// A small histogram of every finite element of `value` in `bins` bins between its min and max.
std::string histogram_svg(const Array& value, std::size_t bins = 16, int width = 160, int height = 34);

}  // namespace xgrad::study
