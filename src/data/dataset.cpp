#include <xgrad/data/dataset.hpp>

#include <xgrad/error.hpp>

#include <cmath>
#include <sstream>

namespace xgrad::data {

Array to_categorical(const Array& labels, std::size_t classes) {
    if (classes == 0) throw ValueError("to_categorical: classes must be > 0");
    if (labels.dimension() != 1) {
        std::ostringstream s;
        s << "to_categorical: labels must be 1-D (N,), got shape (";
        for (std::size_t i = 0; i < labels.dimension(); ++i) s << (i ? ", " : "") << labels.shape()[i];
        s << ')';
        throw ShapeError(s.str());
    }
    const std::size_t n = labels.size();
    Array out = Array::from_shape({n, classes});
    out.fill(0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        const float v = labels(i);
        const char* problem = nullptr;
        if (!std::isfinite(v) || v != std::floor(v)) problem = "is not an integer";
        else if (v < 0) problem = "is negative";
        else if (v >= static_cast<float>(classes)) problem = "is out of range";
        if (problem) {
            std::ostringstream s;
            s << "to_categorical: label " << v << " at index " << i << ' ' << problem << " (valid: integers 0.."
              << classes - 1 << " for " << classes << " classes)";
            throw ValueError(s.str());
        }
        out(i, static_cast<std::size_t>(v)) = 1.0f;
    }
    return out;
}

}  // namespace xgrad::data
