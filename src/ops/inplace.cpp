// In-place updates (Tensor::add_ and friends) and their out-of-place twins addcmul/addcdiv.
// Each in-place op is one pass over the updated tensor, split between threads when large.
// This file is compiled without floating-point contraction: every op rounds exactly as its
// formula reads (t + alpha·x is a product then a sum, never an FMA), so a chain of in-place
// ops and its recorded twin give the same bits, and so do the optimizers written with them.
#include <algorithm>
#include <cmath>
#include <xtensor/xbroadcast.hpp>

#include "ops/common.hpp"
#include "ops/parallel.hpp"
#include "xgrad/ops/map.hpp"

namespace xgrad {

using detail::grad_for;
using detail::parallel_for;

namespace {

// One operand of an update: a single value for every element, or an array of the updated
// tensor's size (broadcast into a temporary when its shape is smaller).
class Operand {
public:
    Operand(const char* op, const Tensor& t, const Tensor& x) {
        if (!x.defined()) throw GraphError(std::string(op) + ": undefined operand for " + describe(t));
        const Shape out = broadcast_shapes(op, t, x);
        if (out != t.shape_vector()) {
            throw ShapeError(std::string(op) + ": operand " + describe(x) + " does not broadcast to " + describe(t) +
                             ", the tensor updated in place (the result would be " + shape_str(out) + ")");
        }
        read(x, t.shape());
    }
    // An operand already known to broadcast to `shape`.
    Operand(const Tensor& x, const Array::shape_type& shape) { read(x, shape); }

    bool scalar() const { return scalar_; }
    float value() const { return value_; }
    const float* data() const { return p_; }

private:
    bool scalar_ = false;
    float value_ = 0.f;
    const float* p_ = nullptr;
    Array owned_;

    void read(const Tensor& x, const Array::shape_type& shape) {
        if (x.size() == 1) {
            value_ = x.value().data()[0];
            scalar_ = true;
        } else if (x.shape() == shape) {
            p_ = x.value().data();
        } else {
            owned_ = xt::broadcast(x.value(), shape);
            p_ = owned_.data();
        }
    }
};

// t[i] = f(t[i], x[i]) with x read as a scalar or an array (two loops, each vectorisable).
template <class F>
void map1(Array& t, const Operand& x, F f) {
    // Pointers captured by value: through references GCC reloaded them every element.
    float* pt = t.data();
    if (x.scalar()) {
        const float v = x.value();
        parallel_for(t.size(), [=](std::size_t b, std::size_t e) {
            float* p = pt;
            for (std::size_t i = b; i < e; ++i) p[i] = f(p[i], v);
        });
    } else {
        const float* px = x.data();
        parallel_for(t.size(), [=](std::size_t b, std::size_t e) {
            float* p = pt;
            const float* q = px;
            for (std::size_t i = b; i < e; ++i) p[i] = f(p[i], q[i]);
        });
    }
}

// t[i] = f(t[i], a[i], b[i]); the common case (both arrays) first.
template <class F>
void map2(Array& t, const Operand& a, const Operand& b, F f) {
    float* pt = t.data();
    if (!a.scalar() && !b.scalar()) {
        const float *pa = a.data(), *pb = b.data();
        parallel_for(t.size(), [=](std::size_t s, std::size_t e) {
            float* p = pt;
            const float *x = pa, *y = pb;
            for (std::size_t i = s; i < e; ++i) p[i] = f(p[i], x[i], y[i]);
        });
        return;
    }
    // A scalar operand: read through a 0-stride index (rare: optimizers pass arrays).
    const float va = a.value(), vb = b.value();
    const float *pa = a.scalar() ? &va : a.data(), *pb = b.scalar() ? &vb : b.data();
    const std::size_t sa = a.scalar() ? 0 : 1, sb = b.scalar() ? 0 : 1;
    parallel_for(t.size(), [&](std::size_t s, std::size_t e) {
        for (std::size_t i = s; i < e; ++i) pt[i] = f(pt[i], pa[i * sa], pb[i * sb]);
    });
}

// Whether the op updates the value (NoGradGuard, leaf) or is recorded (RecordInPlaceGuard);
// anything else is an error naming the op and the tensor.
bool records(const char* op, const Tensor& t) {
    if (!t.defined()) throw GraphError(std::string(op) + ": undefined tensor");
    if (grad_enabled()) {
        if (RecordInPlaceGuard::enabled()) return true;
        throw GraphError(std::string(op) + ": in-place update of " + describe(t) +
                         " while gradient recording is on; run it under NoGradGuard (as optimizers do), "
                         "or write the out-of-place op (t = t + x) to record it");
    }
    if (!t.is_leaf()) {
        throw GraphError(std::string(op) + ": " + describe(t) + " was produced by '" + t.op() +
                         "' and its graph may still read its value; in-place ops change leaves only "
                         "(detach() it first)");
    }
    return false;
}

// The value of t + value·a∘b for the out-of-place twins: t broadcast to the common shape,
// then the in-place kernel, so both forms round identically.
template <class F>
Array fused3(const char* op, const Tensor& t, const Tensor& a, const Tensor& b, F f) {
    // Pairwise checks name the two operands that clash; together they make the three compatible.
    broadcast_shapes(op, t, a);
    broadcast_shapes(op, t, b);
    broadcast_shapes(op, a, b);
    const std::size_t n = std::max({t.ndim(), a.ndim(), b.ndim()});
    Array::shape_type out(n, 1);
    for (const Tensor* x : {&t, &a, &b}) {
        const auto& s = x->shape();
        for (std::size_t i = 0; i < s.size(); ++i) out[n - s.size() + i] = std::max(out[n - s.size() + i], s[i]);
    }
    Array v = xt::broadcast(t.value(), out);
    map2(v, Operand(a, out), Operand(b, out), f);
    return v;
}

// Checks one target of an in-place map and its operands (op names the public function); true
// when the update is to be recorded instead of run.
bool map_records(const char* op, const Tensor& t, std::initializer_list<const Tensor*> operands) {
    const bool recorded = records(op, t);
    for (const Tensor* x : operands) {
        if (!x->defined()) throw GraphError(std::string(op) + ": undefined operand for " + describe(t));
        if (x->shape() != t.shape()) {
            throw ShapeError(std::string(op) + ": operand " + describe(*x) + " does not have the shape of " +
                             describe(t) + ", the tensor updated in place (map_ does not broadcast)");
        }
    }
    return recorded;
}

}  // namespace

namespace detail {

bool map_records_all(const char* op, std::initializer_list<const Tensor*> targets,
                     std::initializer_list<const Tensor*> operands) {
    bool recorded = false;
    const Tensor& first = **targets.begin();
    for (const Tensor* t : targets) {
        recorded = map_records(op, *t, operands);
        if (t != &first && t->shape() != first.shape()) {
            throw ShapeError(std::string(op) + ": target " + describe(*t) + " does not have the shape of " +
                             describe(first) + " (the targets are updated together)");
        }
        for (const Tensor* u : targets) {
            if (u != t && u->node() == t->node()) {
                throw ValueError(std::string(op) + ": " + describe(*t) + " is a target twice");
            }
        }
    }
    return recorded;
}

void map_ranges(std::size_t n, void (*fn)(void*, std::size_t, std::size_t), void* ctx) {
    parallel_ranges(n, fn, ctx);
}

}  // namespace detail

Tensor& Tensor::add_(const Tensor& x, float alpha) {
    if (records("add_", *this)) return *this = alpha == 1.f ? add(*this, x) : add(*this, x * alpha);
    map1(data(), Operand("add_", *this, x), [alpha](float t, float v) { return t + alpha * v; });
    return *this;
}

Tensor& Tensor::add_(float s) {
    if (records("add_", *this)) return *this = add(*this, scalar(s));
    map1(data(), Operand("add_", *this, scalar(s)), [](float t, float v) { return t + v; });
    return *this;
}

Tensor& Tensor::sub_(const Tensor& x, float alpha) {
    if (records("sub_", *this)) return *this = alpha == 1.f ? sub(*this, x) : sub(*this, x * alpha);
    map1(data(), Operand("sub_", *this, x), [alpha](float t, float v) { return t - alpha * v; });
    return *this;
}

Tensor& Tensor::mul_(const Tensor& x) {
    if (records("mul_", *this)) return *this = mul(*this, x);
    map1(data(), Operand("mul_", *this, x), [](float t, float v) { return t * v; });
    return *this;
}

Tensor& Tensor::mul_(float s) { return mul_(scalar(s)); }

Tensor& Tensor::div_(const Tensor& x) {
    if (records("div_", *this)) return *this = div(*this, x);
    map1(data(), Operand("div_", *this, x), [](float t, float v) { return t / v; });
    return *this;
}

Tensor& Tensor::div_(float s) { return div_(scalar(s)); }

Tensor& Tensor::addcmul_(const Tensor& a, const Tensor& b, float value, float beta) {
    if (records("addcmul_", *this)) return *this = addcmul(beta == 1.f ? *this : *this * beta, a, b, value);
    const Operand oa("addcmul_", *this, a), ob("addcmul_", *this, b);
    if (beta == 1.f) map2(data(), oa, ob, [value](float t, float x, float y) { return t + value * x * y; });
    else map2(data(), oa, ob, [value, beta](float t, float x, float y) { return beta * t + value * x * y; });
    return *this;
}

Tensor& Tensor::addcdiv_(const Tensor& a, const Tensor& b, float value) {
    if (records("addcdiv_", *this)) return *this = addcdiv(*this, a, b, value);
    map2(data(), Operand("addcdiv_", *this, a), Operand("addcdiv_", *this, b),
         [value](float t, float x, float y) { return t + value * x / y; });
    return *this;
}

Tensor& Tensor::maximum_(const Tensor& x) {
    if (records("maximum_", *this)) return *this = maximum(*this, x);
    // NaN in t stays NaN (as maximum() does).
    map1(data(), Operand("maximum_", *this, x), [](float t, float v) { return t < v ? v : t; });
    return *this;
}

Tensor& Tensor::sqrt_() {
    if (records("sqrt_", *this)) return *this = sqrt(*this);
    float* p = data().data();
    parallel_for(size(), [p](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) p[i] = std::sqrt(p[i]);
    });
    return *this;
}

Tensor& Tensor::copy_(const Tensor& x) {
    if (records("copy_", *this)) {
        Operand("copy_", *this, x);  // the shape check
        return *this = x.shape() == shape() ? x : broadcast_to(x, shape_vector());
    }
    map1(data(), Operand("copy_", *this, x), [](float, float v) { return v; });
    return *this;
}

Tensor& Tensor::fill_(float v) {
    if (records("fill_", *this)) return *this = full(shape_vector(), v);
    float* p = data().data();
    parallel_for(size(), [p, v](std::size_t b, std::size_t e) { std::fill(p + b, p + e, v); });
    return *this;
}

Tensor& Tensor::zero_() {
    if (records("zero_", *this)) return *this = zeros_like(*this);
    return fill_(0.f);
}

Tensor addcmul(const Tensor& t, const Tensor& a, const Tensor& b, float value) {
    Array v = fused3("addcmul", t, a, b, [value](float x, float p, float q) { return x + value * p * q; });
    return record({"addcmul", "d(t + c·a·b)/dt = 1, /da = c·b, /db = c·a", {{"value", summarize(Array(value))}}},
                  {t, a, b}, std::move(v), [value](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &a = c.inputs[1], &b = c.inputs[2];
                      return {grad_for(c, 0, c.grad), c.needs[1] ? grad_for(c, 1, c.grad * value * b) : Tensor(),
                              c.needs[2] ? grad_for(c, 2, c.grad * value * a) : Tensor()};
                  });
}

Tensor addcdiv(const Tensor& t, const Tensor& a, const Tensor& b, float value) {
    Array v = fused3("addcdiv", t, a, b, [value](float x, float p, float q) { return x + value * p / q; });
    return record({"addcdiv", "d(t + c·a/b)/dt = 1, /da = c/b, /db = −c·a/b²", {{"value", summarize(Array(value))}}},
                  {t, a, b}, std::move(v), [value](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor &a = c.inputs[1], &b = c.inputs[2];
                      return {grad_for(c, 0, c.grad), c.needs[1] ? grad_for(c, 1, c.grad * value / b) : Tensor(),
                              c.needs[2] ? grad_for(c, 2, neg(c.grad * value * a / (b * b))) : Tensor()};
                  });
}

}  // namespace xgrad
