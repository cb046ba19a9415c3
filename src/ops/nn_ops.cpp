// Dropout, batch normalisation, gather/scatter and where.
#include "xgrad/ops/nn_ops.hpp"

#include <cmath>
#include <cstring>
#include <random>

#include "ops/common.hpp"
#include "xgrad/ops/collective.hpp"
#include "xgrad/ops/reduce.hpp"
#include "xgrad/random.hpp"

namespace xgrad {

Tensor dropout(const Tensor& x, float rate, bool training) {
    if (!(rate >= 0.f && rate < 1.f)) {
        throw ValueError("dropout: rate must be in [0, 1), got " + std::to_string(rate) + " for input " + describe(x));
    }
    if (!training || rate == 0.f) return x;
    // One Bernoulli draw per element from the library's generator; the kept ones are scaled
    // now, so inference needs no rescaling (inverted dropout).
    auto mask = std::make_shared<Array>(x.shape());
    std::bernoulli_distribution keep(1.0 - double(rate));
    const float scale = 1.f / (1.f - rate);
    auto& gen = generator();
    for (auto& m : *mask) m = keep(gen) ? scale : 0.f;
    Array y = x.value() * *mask;
    return record({"dropout", "dx = dY · mask / (1 - rate)", {{"rate", std::to_string(rate)}}}, {x}, std::move(y),
                  [mask](const BackwardContext& c) -> std::vector<Tensor> { return {c.grad * constant(*mask)}; });
}

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& moving_mean, Tensor& moving_variance,
                  bool training, const BatchNormOptions& o) {
    if (x.ndim() < 2) throw ShapeError("batch_norm: input " + describe(x) + " needs a batch axis and a channel axis");
    const std::size_t c = x.shape().back();
    for (const Tensor* t : {&gamma, &beta, static_cast<const Tensor*>(&moving_mean), static_cast<const Tensor*>(&moving_variance)}) {
        if (t->shape_vector() != Shape{c}) {
            throw ShapeError("batch_norm: input " + describe(x) + " has " + std::to_string(c) + " channels but " +
                             describe(*t) + " is not (" + std::to_string(c) + ")");
        }
    }
    if (!(o.momentum >= 0.f && o.momentum <= 1.f) || !(o.epsilon > 0.f)) {
        throw ValueError("batch_norm: momentum must be in [0, 1] and epsilon positive, got momentum " +
                         std::to_string(o.momentum) + ", epsilon " + std::to_string(o.epsilon));
    }
    if (!training) {
        Tensor scale = gamma / sqrt(moving_variance + o.epsilon);
        return (x - moving_mean) * scale + beta;
    }
    std::vector<std::ptrdiff_t> axes(x.ndim() - 1);
    for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = std::ptrdiff_t(i);
    const std::shared_ptr<ProcessGroup> group = o.synchronized ? current_process_group() : nullptr;
    const bool synchronized = group && group->size() > 1;
    Tensor mu, centred, var;
    if (synchronized) {
        // One collective for the sums and the row count (appended as channel C), one for the
        // squared deviations: two passes, as the local form, so no E[x²] − μ² cancellation.
        // all_sum's backward makes the gradient that of the whole global batch (collective.cpp).
        const Tensor rows = constant(Array(Array::shape_type{1}, float(x.size() / c)));
        const Tensor sums = all_sum(concat({sum(x, axes), rows}));
        const float n = sums.value()(c);
        if (!(n > 0.f)) throw ValueError("batch_norm (synchronized): input " + describe(x) + ": no process has samples");
        mu = slice(sums, 0, 0, c) / n;
        centred = x - mu;
        var = all_sum(sum(square(centred), axes)) / n;
    } else {
        mu = mean(x, axes);
        centred = x - mu;
        var = mean(square(centred), axes);
    }
    // Unsynchronized, a stand-in's statistics are its stand-in sample's, which nobody trains on:
    // its moving statistics stay, as if it had skipped the step. Synchronized, they are the
    // global batch's like everyone's, and updating keeps every process's moving ones equal.
    if (synchronized || contributes_to_collectives()) {
        NoGradGuard no_grad;
        moving_mean.data() = moving_mean.value() * o.momentum + mu.value() * (1.f - o.momentum);
        moving_variance.data() = moving_variance.value() * o.momentum + var.value() * (1.f - o.momentum);
    }
    return centred * (gamma / sqrt(var + o.epsilon)) + beta;
}

namespace {

// The indices as row numbers; ValueError names the op, the bad index and the shapes.
std::vector<std::size_t> rows_of(const char* op, const Tensor& indices, std::size_t rows, const std::string& table) {
    std::vector<std::size_t> out(indices.size());
    const float* p = indices.value().data();
    for (std::size_t i = 0; i < out.size(); ++i) {
        const float v = p[i];
        if (!(v >= 0.f) || v != std::floor(v) || v >= float(rows)) {
            throw ValueError(std::string(op) + ": index " + std::to_string(v) + " at position " + std::to_string(i) +
                             " of indices " + describe(indices) + " is not a row of " + table + " (0.." +
                             std::to_string(rows) + ")");
        }
        out[i] = std::size_t(v);
    }
    return out;
}

}  // namespace

Tensor gather(const Tensor& x, const Tensor& indices) {
    if (x.ndim() == 0) throw ShapeError("gather: cannot pick rows of the scalar " + describe(x));
    const std::size_t rows = x.shape()[0];
    const std::size_t width = rows ? x.size() / rows : 0;
    const auto idx = rows_of("gather", indices, rows, describe(x));
    Array::shape_type shape(indices.shape().begin(), indices.shape().end());
    shape.insert(shape.end(), x.shape().begin() + 1, x.shape().end());
    Array y(shape);
    for (std::size_t i = 0; i < idx.size(); ++i) {
        std::memcpy(y.data() + i * width, x.value().data() + idx[i] * width, width * sizeof(float));
    }
    return record({"gather", "dx = scatter-add of dY into the picked rows"}, {x, indices}, std::move(y),
                  [rows](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.needs[0] ? gather_backward(c.grad, c.inputs[1], rows) : Tensor(), Tensor()};
                  });
}

Tensor gather_backward(const Tensor& g, const Tensor& indices, std::size_t rows) {
    const std::size_t k = indices.ndim();
    if (g.ndim() < k || !std::equal(indices.shape().begin(), indices.shape().end(), g.shape().begin())) {
        throw ShapeError("gather_backward: gradient " + describe(g) + " does not start with the indices' shape " +
                         shape_str(indices.shape()));
    }
    Array::shape_type shape{rows};
    shape.insert(shape.end(), g.shape().begin() + std::ptrdiff_t(k), g.shape().end());
    Array dx(shape, 0.f);
    const auto idx = rows_of("gather_backward", indices, rows, shape_str(dx.shape()));
    const std::size_t width = rows ? dx.size() / rows : 0;
    const float* src = g.value().data();
    for (std::size_t i = 0; i < idx.size(); ++i) {
        float* dst = dx.data() + idx[i] * width;
        for (std::size_t j = 0; j < width; ++j) dst[j] += src[i * width + j];
    }
    return record({"gather_backward", "d/ddY = gather(h, indices)"}, {g, indices}, std::move(dx),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      return {c.needs[0] ? gather(c.grad, c.inputs[1]) : Tensor(), Tensor()};
                  });
}

Tensor embedding_lookup(const Tensor& table, const Tensor& ids) {
    if (table.ndim() != 2) {
        throw ShapeError("embedding_lookup: table " + describe(table) + " must be 2-D (vocabulary, dimension)");
    }
    return gather(table, ids);
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
    const Shape ab = broadcast_shapes("where", a, b);
    const Shape out = broadcast_shapes("where", condition, constant(Array(Array::shape_type(ab.begin(), ab.end()))));
    Array v = xt::where(xt::not_equal(condition.value(), 0.f), a.value(), b.value());
    if (v.shape() != Array::shape_type(out.begin(), out.end())) v = xt::broadcast(v, out);
    return record({"where", "da = dY where cond, db = dY elsewhere"}, {condition, a, b}, std::move(v),
                  [](const BackwardContext& c) -> std::vector<Tensor> {
                      const Tensor& cond = c.inputs[0];
                      Tensor zero = scalar(0.f);
                      return {Tensor(), detail::grad_for(c, 1, c.needs[1] ? where(cond, c.grad, zero) : Tensor()),
                              detail::grad_for(c, 2, c.needs[2] ? where(cond, zero, c.grad) : Tensor())};
                  });
}

}  // namespace xgrad
