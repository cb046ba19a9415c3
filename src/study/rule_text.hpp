#pragma once
// Helpers shared by the forward and backward formula texts (rules.cpp, forward.cpp).
#include <algorithm>
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::study::detail {

inline std::string attr(const Tensor& t, const std::string& key) {
    for (const auto& [k, v] : t.attrs())
        if (k == key) return v;
    return "";
}

inline std::string join_axes(const std::vector<std::size_t>& axes) {
    std::string s;
    for (std::size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
    return s;
}

// The axes (of the output) that NumPy broadcasting stretched `in` over: the gradient is summed
// over them to come back to `in`'s shape.
inline std::vector<std::size_t> broadcast_axes(const Shape& in, const Shape& out) {
    std::vector<std::size_t> axes;
    const std::size_t lead = out.size() - std::min(in.size(), out.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i < lead || (in[i - lead] == 1 && out[i] != 1)) axes.push_back(i);
    }
    return axes;
}

// The transpose flags of a matmul node (attribute "transpose" = "NN", "TN", "NT", "TT").
inline std::pair<bool, bool> matmul_transposes(const Tensor& node) {
    const std::string t = attr(node, "transpose");
    return {t.size() == 2 && t[0] == 'T', t.size() == 2 && t[1] == 'T'};
}

}  // namespace xgrad::study::detail
