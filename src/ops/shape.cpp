// Shape ops: reshape, broadcast/sum_to (each other's backward), slice/pad (likewise), concat.
#include "xgrad/ops/shape.hpp"

#include <numeric>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>

#include "ops/common.hpp"
#include "ops/kernels.hpp"
#include "ops/map.hpp"

namespace xgrad {

using detail::normalize_axis;
using detail::shape_of;

namespace {
std::size_t product(const Shape& s) {
    return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
}

// A tensor seen along `axis` is (outer, n, inner) with contiguous (n, inner) blocks, so a band
// of positions along the axis is one contiguous run per outer index.
struct Blocks {
    std::size_t outer = 1, n = 1, inner = 1;
};
Blocks blocks(const Array::shape_type& s, std::size_t axis) {
    Blocks b;
    for (std::size_t i = 0; i < axis; ++i) b.outer *= s[i];
    b.n = s[axis];
    for (std::size_t i = axis + 1; i < s.size(); ++i) b.inner *= s[i];
    return b;
}

// Positions begin..begin+len of `a` along `axis`, as a new array.
Array copy_band(const Array& a, std::size_t axis, std::size_t begin, std::size_t len) {
    Array::shape_type s = a.shape();
    const Blocks b = blocks(s, axis);
    s[axis] = len;
    Array out(s);
    for (std::size_t o = 0; o < b.outer; ++o) {
        std::copy_n(a.data() + (o * b.n + begin) * b.inner, len * b.inner, out.data() + o * len * b.inner);
    }
    return out;
}

// Writes `part` into `dest` at position `offset` along `axis`.
void paste_band(Array& dest, const Array& part, std::size_t axis, std::size_t offset) {
    const Blocks d = blocks(dest.shape(), axis);
    const std::size_t len = part.shape()[axis];
    for (std::size_t o = 0; o < d.outer; ++o) {
        std::copy_n(part.data() + o * len * d.inner, len * d.inner, dest.data() + (o * d.n + offset) * d.inner);
    }
}
}  // namespace

Tensor reshape(const Tensor& a, const Shape& shape) {
    if (product(shape) != a.size()) {
        throw ShapeError("reshape: cannot reshape " + describe(a) + " (" + std::to_string(a.size()) +
                         " elements) to " + shape_str(shape) + " (" + std::to_string(product(shape)) + " elements)");
    }
    Array v = a.value();
    v.reshape(shape);
    return record({"reshape", "d reshape(a)/da: reshape g back", {{"shape", shape_str(shape)}}}, {a}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {reshape(c.grad, shape_of(c.inputs[0]))};
                  });
}

Tensor reshape(const Tensor& a, std::initializer_list<std::ptrdiff_t> shape) {
    Shape out;
    std::ptrdiff_t infer = -1;
    std::size_t known = 1;
    for (auto d : shape) {
        if (d == -1) {
            if (infer >= 0) throw ShapeError("reshape: more than one -1 in the target shape for " + describe(a));
            infer = static_cast<std::ptrdiff_t>(out.size());
            out.push_back(1);
        } else if (d < 0) {
            throw ShapeError("reshape: negative dimension " + std::to_string(d) + " for " + describe(a));
        } else {
            out.push_back(static_cast<std::size_t>(d));
            known *= static_cast<std::size_t>(d);
        }
    }
    if (infer >= 0) {
        if (known == 0 || a.size() % known != 0) {
            throw ShapeError("reshape: cannot infer -1 when reshaping " + describe(a) + " (" +
                             std::to_string(a.size()) + " elements) to " + shape_str(out));
        }
        out[static_cast<std::size_t>(infer)] = a.size() / known;
    }
    return reshape(a, out);
}

Tensor flatten(const Tensor& a, std::size_t start_axis) {
    if (start_axis > a.ndim() || (start_axis == a.ndim() && a.ndim() > 0)) {
        throw ShapeError("flatten: start axis " + std::to_string(start_axis) + " is out of range for " + describe(a));
    }
    Shape s = shape_of(a);
    Shape out(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(start_axis));
    out.push_back(product(Shape(s.begin() + static_cast<std::ptrdiff_t>(start_axis), s.end())));
    return reshape(a, out);
}

Tensor broadcast_to(const Tensor& a, const Shape& shape) {
    const auto& s = a.shape();
    bool ok = s.size() <= shape.size();
    for (std::size_t i = 0; ok && i < s.size(); ++i) {
        const std::size_t d = s[s.size() - 1 - i], t = shape[shape.size() - 1 - i];
        ok = d == t || d == 1;
    }
    if (!ok) throw ShapeError("broadcast_to: cannot broadcast " + describe(a) + " to " + shape_str(shape));
    if (Shape(s.begin(), s.end()) == shape) return a;
    Array v = detail::broadcast_array(a.value(), Array::shape_type(shape.begin(), shape.end()));
    return record({"broadcast_to", "d broadcast(a)/da: sum g over the broadcast axes", {{"shape", shape_str(shape)}}},
                  {a}, std::move(v), [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {sum_to(c.grad, shape_of(c.inputs[0]))};
                  });
}

Tensor sum_to(const Tensor& a, const Shape& shape) {
    const auto& s = a.shape();
    if (Shape(s.begin(), s.end()) == shape) return a;
    bool ok = shape.size() <= s.size();
    const std::size_t lead = ok ? s.size() - shape.size() : 0;
    std::vector<std::size_t> axes;
    for (std::size_t i = 0; ok && i < lead; ++i) axes.push_back(i);
    for (std::size_t i = 0; ok && i < shape.size(); ++i) {
        const std::size_t d = s[lead + i];
        ok = shape[i] == d || shape[i] == 1;
        if (ok && shape[i] == 1 && d != 1) axes.push_back(lead + i);
    }
    if (!ok) throw ShapeError("sum_to: cannot sum " + describe(a) + " down to " + shape_str(shape));
    Array v = detail::reduce_axes(a.value(), axes, 0.f, std::plus<float>());
    v.reshape(shape);
    return record({"sum_to", "d sum_to(a)/da: broadcast g back", {{"axes", detail::axes_str(axes)}}}, {a},
                  std::move(v), [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {broadcast_to(c.grad, shape_of(c.inputs[0]))};
                  });
}

Tensor slice(const Tensor& a, std::ptrdiff_t axis_in, std::size_t begin, std::size_t end) {
    const std::size_t axis = normalize_axis("slice", axis_in, a.ndim(), a);
    const std::size_t n = a.shape()[axis];
    if (begin > end || end > n) {
        throw ShapeError("slice: range [" + std::to_string(begin) + ", " + std::to_string(end) + ") is outside axis " +
                         std::to_string(axis) + " of " + describe(a) + " (length " + std::to_string(n) + ")");
    }
    Array v = copy_band(a.value(), axis, begin, end - begin);
    return record({"slice", "d slice(a)/da: g placed back, zeros elsewhere",
                   {{"axis", std::to_string(axis)}, {"range", std::to_string(begin) + ":" + std::to_string(end)}}},
                  {a}, std::move(v), [axis, begin, end, n](const BackwardContext& c) -> std::vector<Tensor> {
                      return {pad(c.grad, static_cast<std::ptrdiff_t>(axis), begin, n - end)};
                  });
}

Tensor slice_rows(const Tensor& a, std::size_t begin, std::size_t end) { return slice(a, 0, begin, end); }

Tensor pad(const Tensor& a, std::ptrdiff_t axis_in, std::size_t before, std::size_t after) {
    const std::size_t axis = normalize_axis("pad", axis_in, a.ndim(), a);
    Shape s = shape_of(a);
    const std::size_t n = s[axis];
    s[axis] += before + after;
    Array v(Array::shape_type(s.begin(), s.end()), 0.f);
    paste_band(v, a.value(), axis, before);
    return record({"pad", "d pad(a)/da: the slice of g where a sits",
                   {{"axis", std::to_string(axis)}, {"before", std::to_string(before)}, {"after", std::to_string(after)}}},
                  {a}, std::move(v), [axis, before, n](const BackwardContext& c) -> std::vector<Tensor> {
                      return {slice(c.grad, static_cast<std::ptrdiff_t>(axis), before, before + n)};
                  });
}

Tensor concat(const std::vector<Tensor>& parts, std::ptrdiff_t axis_in) {
    if (parts.empty()) throw ShapeError("concat: no tensors to join");
    const Tensor& first = parts.front();
    const std::size_t axis = normalize_axis("concat", axis_in, first.ndim(), first);
    Shape s = shape_of(first);
    std::vector<std::size_t> offsets{0};
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const Tensor& p = parts[i];
        bool ok = p.ndim() == first.ndim();
        for (std::size_t d = 0; ok && d < s.size(); ++d) ok = d == axis || p.shape()[d] == s[d];
        if (!ok) {
            throw ShapeError("concat: " + describe(first) + " and " + describe(p) + " (part " + std::to_string(i) +
                             ") differ outside axis " + std::to_string(axis));
        }
    }
    for (const auto& p : parts) offsets.push_back(offsets.back() + p.shape()[axis]);
    s[axis] = offsets.back();
    Array v(Array::shape_type(s.begin(), s.end()));
    for (std::size_t i = 0; i < parts.size(); ++i) paste_band(v, parts[i].value(), axis, offsets[i]);
    return record({"concat", "d concat/d(part i): the slice of g for part i", {{"axis", std::to_string(axis)}}},
                  parts, std::move(v), [axis, offsets](const BackwardContext& c) -> std::vector<Tensor> {
                      std::vector<Tensor> out(c.inputs.size());
                      for (std::size_t i = 0; i < out.size(); ++i) {
                          if (c.needs[i]) out[i] = slice(c.grad, static_cast<std::ptrdiff_t>(axis), offsets[i], offsets[i + 1]);
                      }
                      return out;
                  });
}

}  // namespace xgrad
