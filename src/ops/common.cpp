// Axis handling shared by reductions, shape ops and softmax.
#include "ops/common.hpp"

#include <algorithm>

namespace xgrad::detail {

std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, std::size_t ndim, const Tensor& t) {
    const auto n = static_cast<std::ptrdiff_t>(ndim);
    if (axis < -n || axis >= n) {
        throw ShapeError(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for " +
                         describe(t) + " (rank " + std::to_string(ndim) + ")");
    }
    return static_cast<std::size_t>(axis < 0 ? axis + n : axis);
}

std::vector<std::size_t> normalize_axes(const char* op, const std::vector<std::ptrdiff_t>& axes, const Tensor& t) {
    std::vector<std::size_t> out;
    if (axes.empty()) {
        for (std::size_t i = 0; i < t.ndim(); ++i) out.push_back(i);
        return out;
    }
    for (auto a : axes) out.push_back(normalize_axis(op, a, t.ndim(), t));
    std::sort(out.begin(), out.end());
    if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
        throw ShapeError(std::string(op) + ": repeated axis in " + axes_str(out) + " for " + describe(t));
    }
    return out;
}

std::string axes_str(const std::vector<std::size_t>& axes) {
    std::string s;
    for (std::size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
    return s;
}

}  // namespace xgrad::detail
