#pragma once
/// @file norm.hpp
/// nn::BatchNormalization: Keras' batch normalisation over the last (channel) axis.

#include "xgrad/nn/module.hpp"
#include "xgrad/ops/nn_ops.hpp"

namespace xgrad::nn {

/// Keras' BatchNormalization(momentum=0.99, epsilon=1e-3): y = γ·(x - μ)/sqrt(σ² + ε) + β.
/// In training mode μ, σ² are the batch statistics of each channel and the moving ones are
/// updated (moving = momentum·moving + (1 - momentum)·batch); in inference mode the moving
/// statistics are used. Parameters: "gamma" (ones), "beta" (zeros), trainable;
/// "moving_mean" (zeros), "moving_variance" (ones), not trainable (no gradient; saved with
/// the weights and counted as non-trainable by summary()).
/// `BatchNormalization({.synchronized = true})` is Keras' synchronized=True: in a data-parallel
/// fit on several processes, μ and σ² are those of the whole global batch (all_sum over the
/// processes), so training gives the gradients and moving statistics of one process on the
/// whole batch; in one process, or at inference (and so in an ONNX export), it is the ordinary layer.
class BatchNormalization : public Module {
public:
    /// Keras' defaults.
    explicit BatchNormalization(BatchNormOptions options = {});
    /// batch_norm(x, γ, β, moving statistics, is_training()).
    Tensor forward(const Tensor& x) override;
    /// "BatchNormalization".
    std::string type_name() const override { return "BatchNormalization"; }
    /// The BatchNormOptions (momentum, epsilon).
    nlohmann::json config() const override;
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<BatchNormalization>(*this); }
    /// Creates the four (C) vectors for per-sample input (..., C).
    Shape build(const Shape& input_shape) override;
    /// True once the parameters exist.
    bool built() const override { return gamma_.defined(); }
    /// The input shape once built.
    Shape output_shape() const override { return output_shape_; }

    const Tensor& gamma() const { return gamma_; }                      ///< γ, (C)
    const Tensor& beta() const { return beta_; }                        ///< β, (C)
    const Tensor& moving_mean() const { return moving_mean_; }          ///< (C)
    const Tensor& moving_variance() const { return moving_variance_; }  ///< (C)
    const BatchNormOptions& options() const { return options_; }        ///< momentum, epsilon, synchronized

private:
    BatchNormOptions options_;
    Shape output_shape_;
    Tensor gamma_, beta_, moving_mean_, moving_variance_;
};

}  // namespace xgrad::nn
