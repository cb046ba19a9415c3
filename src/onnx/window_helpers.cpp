// Transposes between channels-last and channels-first, and ONNX window attributes.
#include "onnx/window_helpers.hpp"

namespace xgrad::onnx::detail {

using Ints = std::vector<std::int64_t>;

std::string to_channels_first(const std::string& x, std::size_t rank, const std::string& scope, GraphBuilder& g) {
    Ints perm{0, static_cast<std::int64_t>(rank)};
    for (std::size_t i = 1; i < rank; ++i) perm.push_back(static_cast<std::int64_t>(i));
    return g.node("Transpose", {x}, scope, {{"perm", perm}});
}

std::string to_channels_last(const std::string& x, std::size_t rank, const std::string& scope, GraphBuilder& g) {
    Ints perm{0};
    for (std::size_t i = 2; i <= rank; ++i) perm.push_back(static_cast<std::int64_t>(i));
    perm.push_back(1);
    return g.node("Transpose", {x}, scope, {{"perm", perm}});
}

Window window(const Shape& in, std::array<std::size_t, 2> k, std::array<std::size_t, 2> s,
              std::array<std::size_t, 2> d, Padding padding) {
    Window w;
    Ints before, after;
    for (std::size_t a = 0; a < 2; ++a) {
        const std::size_t out = conv_output_length(in[a], k[a], s[a], d[a], padding);
        std::size_t total = 0;
        if (padding == Padding::Same && out > 0) {
            const std::size_t needed = (out - 1) * s[a] + (k[a] - 1) * d[a] + 1;
            total = needed > in[a] ? needed - in[a] : 0;
        }
        w.kernel.push_back(static_cast<std::int64_t>(k[a]));
        w.strides.push_back(static_cast<std::int64_t>(s[a]));
        w.dilations.push_back(static_cast<std::int64_t>(d[a]));
        before.push_back(static_cast<std::int64_t>(total / 2));
        after.push_back(static_cast<std::int64_t>(total - total / 2));
        w.out.push_back(out);
    }
    w.pads = {before[0], before[1], after[0], after[1]};
    return w;
}

}  // namespace xgrad::onnx::detail
