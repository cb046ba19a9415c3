// Text forms of shapes and values for messages, traces and diagrams.
#include "xgrad/format.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace xgrad {

namespace {
template <class S>
std::string join_shape(const S& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += "x";
        s += std::to_string(shape[i]);
    }
    return s + ")";
}
}  // namespace

std::string shape_str(const Array::shape_type& shape) { return join_shape(shape); }
std::string shape_str(const Shape& shape) { return join_shape(shape); }

std::string describe(const Tensor& t) {
    if (!t.defined()) return "(undefined)";
    std::string s = shape_str(t.shape());
    if (t.label().empty()) return s;
    if (t.ndim() == 0) s = "(scalar)";
    s.insert(s.size() - 1, " '" + t.label() + "'");
    return s;
}

std::string summarize(const Array& value, std::size_t max_elements, int precision) {
    std::ostringstream out;
    out << std::setprecision(precision);
    const float* p = value.data();
    const std::size_t n = value.size();
    if (n <= max_elements) {
        if (value.dimension() == 0) {
            out << p[0];
            return out.str();
        }
        out << "[";
        for (std::size_t i = 0; i < n; ++i) out << (i ? ", " : "") << p[i];
        out << "]";
        return out.str();
    }
    double lo = p[0], hi = p[0], sum = 0, sq = 0;
    for (std::size_t i = 0; i < n; ++i) {
        lo = std::min<double>(lo, p[i]);
        hi = std::max<double>(hi, p[i]);
        sum += p[i];
        sq += double(p[i]) * p[i];
    }
    out << "min " << lo << ", max " << hi << ", mean " << sum / double(n) << ", norm " << std::sqrt(sq);
    return out.str();
}

}  // namespace xgrad
