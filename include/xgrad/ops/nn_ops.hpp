#pragma once
/// @file nn_ops.hpp
/// Ops behind the non-linear-algebra layers: dropout, batch normalisation, row gathering
/// (embeddings) and elementwise selection.

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Inverted dropout (Keras): in training each element is kept with probability 1 - rate and
/// scaled by 1/(1 - rate), so the expected value is unchanged; the mask is drawn from
/// xgrad::generator() (manual_seed makes it reproducible). Identity when `training` is false
/// or rate is 0. ValueError unless 0 <= rate < 1.  dx = dy · mask / (1 - rate)
Tensor dropout(const Tensor& x, float rate, bool training);

/// Options of batch_norm (Keras' BatchNormalization defaults).
struct BatchNormOptions {
    float momentum = 0.99f;   ///< moving = momentum·moving + (1 - momentum)·batch statistic
    float epsilon = 1e-3f;    ///< added to the variance before the square root
    /// Keras' synchronized=True: in training under a process group of several processes (a
    /// data-parallel fit, see xgrad/ops/collective.hpp), μ and σ² are those of the whole global
    /// batch, summed over the processes with all_sum (two small collectives forward, two
    /// backward), so the result and its gradient are those of one process holding the whole
    /// batch. Without a group, in a group of one, or at inference: the ordinary op.
    bool synchronized = false;
};

/// Batch normalisation over the last (channel) axis:
/// y = γ · (x - μ) / sqrt(σ² + ε) + β, with μ, σ² the mean and (biased) variance of each
/// channel over every other axis in training, and the moving statistics at inference.
/// In training the moving statistics are updated in place, outside the graph. gamma, beta,
/// moving_mean and moving_variance have shape (C). The training form is written with public
/// ops, so its gradient (through μ and σ² too) and higher derivatives are exact.
/// Synchronized (options.synchronized, under a group of several processes): with S1, S2 the
/// all_sum over the processes of Σx and Σ(x − μ)² per channel and n the all_sum of the rows,
/// μ = S1/n and σ² = S2/n, the same on every process, which all update their moving
/// statistics alike. A stand-in process (ProcessGroupScope with contributes = false) adds
/// nothing to S1, S2 and n; unsynchronized, it leaves its moving statistics alone.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor& moving_mean,
                  Tensor& moving_variance, bool training, const BatchNormOptions& options = {});

/// Rows of `x` picked by integer-valued `indices` (any shape): the result has shape
/// indices.shape + x.shape[1:]. ValueError names an index that is negative, fractional or
/// >= x.shape[0].  dx = scatter-add of dy into the picked rows (gather_backward)
Tensor gather(const Tensor& x, const Tensor& indices);

/// The adjoint of gather: a (rows, x.shape[1:]...) array with each slice of g added into
/// row indices[i]. Its own derivative is gather(h, indices).
Tensor gather_backward(const Tensor& g, const Tensor& indices, std::size_t rows);

/// Embedding lookup: gather(table, ids) for a table (vocabulary, dim) and ids of any shape.
Tensor embedding_lookup(const Tensor& table, const Tensor& ids);

/// Elementwise choice with NumPy broadcasting: a where condition != 0, else b.
/// da = where(cond, g, 0), db = where(cond, 0, g) (each summed back to its shape); the
/// condition gets no gradient.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

}  // namespace xgrad
