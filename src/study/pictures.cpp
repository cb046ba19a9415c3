// Inline SVG pictures for the study pages. Hand-written because they are a few rectangles each
// and must be deterministic text that tests can read (the training report's charts, which are
// real charts with axes, use Chart.js).
#include "html_escape.hpp"
#include "xgrad/study/pictures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "xgrad/format.hpp"

namespace xgrad::study {

namespace {

using ::xgrad::detail::html_escape;

std::string hex(int r, int g, int b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", std::clamp(r, 0, 255), std::clamp(g, 0, 255), std::clamp(b, 0, 255));
    return buf;
}

// `digits` significant digits (2 for labels over narrow bars).
std::string num(double v, int digits = 4) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

// Blue - white - red for t in [-1, 1].
std::string diverging(double t) {
    t = std::clamp(t, -1.0, 1.0);
    const int fade = int(255 * (1 - std::abs(t)) + 0.5);
    return t >= 0 ? hex(255, fade, fade) : hex(fade, fade, 255);
}

}  // namespace

std::string image_svg(const Array& values, std::size_t rows, std::size_t cols, Palette palette,
                      const std::string& caption, int pixel) {
    if (values.size() != rows * cols) {
        throw ShapeError("image_svg: " + shape_str(values.shape()) + " has " + std::to_string(values.size()) +
                         " elements, not " + std::to_string(rows) + "x" + std::to_string(cols) + " = " +
                         std::to_string(rows * cols));
    }
    double m = 0;
    for (float v : values)
        if (std::isfinite(v)) m = std::max(m, double(std::abs(v)));
    const int w = int(cols) * pixel, h = int(rows) * pixel;
    std::ostringstream o;
    o << "<svg class=\"picture\" width=\"" << w + 2 << "\" height=\"" << h + 34 << "\" viewBox=\"-1 -1 " << w + 2 << " "
      << h + 34 << "\">";
    o << "<rect x=\"0\" y=\"0\" width=\"" << w << "\" height=\"" << h << "\" fill=\"#ffffff\" stroke=\"#99a\"/>";
    o << "<g shape-rendering=\"crispEdges\">";
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
            const float v = values.data()[r * cols + c];
            std::string fill;
            if (!std::isfinite(v)) fill = "#ffd700";  // NaN/Inf stand out
            else if (palette == Palette::Gray) {
                const double t = std::clamp(double(v), 0.0, 1.0);
                if (t < 0.02) continue;  // white background
                fill = hex(int(255 * (1 - t) + 0.5), int(255 * (1 - t) + 0.5), int(255 * (1 - t) + 0.5));
            } else {
                const double t = m > 0 ? v / m : 0;
                if (std::abs(t) < 0.02) continue;
                fill = diverging(t);
            }
            o << "<rect x=\"" << int(c) * pixel << "\" y=\"" << int(r) * pixel << "\" width=\"" << pixel
              << "\" height=\"" << pixel << "\" fill=\"" << fill << "\"/>";
        }
    }
    o << "</g>";
    if (!caption.empty()) o << "<text x=\"0\" y=\"" << h + 14 << "\" font-size=\"11\">" << html_escape(caption) << "</text>";
    if (palette == Palette::Diverging) {
        o << "<text x=\"0\" y=\"" << h + 28 << "\" font-size=\"10\" fill=\"#2255cc\">blue −" << num(m)
          << "</text><text x=\"" << w << "\" y=\"" << h + 28 << "\" font-size=\"10\" fill=\"#cc2222\" text-anchor=\"end\">red +"
          << num(m) << "</text>";
    }
    o << "</svg>";
    return o.str();
}

std::string bars_svg(const std::vector<double>& values, const std::vector<std::string>& labels,
                     const std::vector<double>& marks, const std::string& caption, double max_hint) {
    if (!labels.empty() && labels.size() != values.size()) {
        throw ValueError("bars_svg: " + std::to_string(labels.size()) + " labels for " + std::to_string(values.size()) + " bars");
    }
    if (!marks.empty() && marks.size() != values.size()) {
        throw ValueError("bars_svg: " + std::to_string(marks.size()) + " marks for " + std::to_string(values.size()) + " bars");
    }
    double top = max_hint;
    for (double v : values)
        if (std::isfinite(v)) top = std::max(top, v);
    for (double v : marks)
        if (std::isfinite(v)) top = std::max(top, v);
    if (!(top > 0)) top = 1;
    // Bars as wide as their labels (about 6 px a character at 10 px), at least 26 px.
    std::size_t longest = 0;
    for (const std::string& l : labels) longest = std::max(longest, l.size());
    const int bw = std::max(values.size() > 8 ? 26 : 48, int(6 * longest)), gap = 6, h = 120, n = int(values.size());
    const int w = std::max(n * (bw + gap), 320);
    std::ostringstream o;
    o << "<svg class=\"picture\" width=\"" << w + 2 << "\" height=\"" << h + 52 << "\" viewBox=\"-1 -1 " << w + 2 << " "
      << h + 52 << "\">";
    o << "<line x1=\"0\" y1=\"" << h << "\" x2=\"" << w << "\" y2=\"" << h << "\" stroke=\"#99a\"/>";
    for (int i = 0; i < n; ++i) {
        const int x = i * (bw + gap);
        if (!marks.empty() && marks[i] > 0) {
            const int mh = int(h * marks[i] / top + 0.5);
            o << "<rect class=\"mark\" x=\"" << x << "\" y=\"" << h - mh << "\" width=\"" << bw << "\" height=\"" << mh
              << "\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>";
        }
        const double v = std::isfinite(values[i]) ? std::max(0.0, values[i]) : 0.0;
        const int bh = int(h * v / top + 0.5);
        o << "<rect class=\"bar\" x=\"" << x + 3 << "\" y=\"" << h - bh << "\" width=\"" << bw - 6 << "\" height=\"" << bh
          << "\" fill=\"#1f77b4\"><title>" << html_escape(labels.empty() ? std::to_string(i) : labels[i]) << ": "
          << num(values[i]) << "</title></rect>";
        o << "<text x=\"" << x + bw / 2 << "\" y=\"" << h + 13 << "\" font-size=\"10\" text-anchor=\"middle\">"
          << html_escape(labels.empty() ? std::to_string(i) : labels[i]) << "</text>";
        if (values.size() <= 12) {
            o << "<text x=\"" << x + bw / 2 << "\" y=\"" << std::max(10, h - bh - 3)
              << "\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333\">" << num(values[i], 2) << "</text>";
        }
    }
    if (!caption.empty()) o << "<text x=\"0\" y=\"" << h + 30 << "\" font-size=\"11\">" << html_escape(caption) << "</text>";
    o << "</svg>";
    return o.str();
}

std::string histogram_svg(const Array& value, std::size_t bins, int width, int height) {
    if (bins == 0) bins = 1;
    float lo = INFINITY, hi = -INFINITY;
    for (float v : value)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    std::vector<std::size_t> counts(bins, 0);
    if (lo <= hi) {
        const double span = hi > lo ? double(hi) - lo : 1.0;
        for (float v : value) {
            if (!std::isfinite(v)) continue;
            counts[std::min(bins - 1, std::size_t((double(v) - lo) / span * double(bins)))]++;
        }
    }
    const std::size_t top = std::max<std::size_t>(1, *std::max_element(counts.begin(), counts.end()));
    const double bw = double(width) / double(bins);
    std::ostringstream o;
    o << "<svg class=\"hist\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " "
      << height << "\"><rect width=\"" << width << "\" height=\"" << height << "\" fill=\"#f4f6fb\"/>";
    for (std::size_t b = 0; b < bins; ++b) {
        if (!counts[b]) continue;
        // Square-root scale: a few outliers stay visible next to a tall central bin.
        const double hh = double(height - 2) * std::sqrt(double(counts[b]) / double(top));
        char buf[160];
        std::snprintf(buf, sizeof buf, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#5b7fc7\"/>",
                      double(b) * bw, double(height) - hh, std::max(0.5, bw - 1), hh);
        o << buf;
    }
    o << "</svg>";
    return o.str();
}

}  // namespace xgrad::study
