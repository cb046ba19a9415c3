#pragma once
/// @file optimizer.hpp
/// One optimizer step taken apart for one parameter element.

#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::study {

/// The pieces of one RMSprop update of one element w of a parameter, with its gradient g:
///   v' = ρ·v + (1-ρ)·g²,   w' = w - lr·g / (√v' + ε)
/// (Keras' RMSprop without momentum or centering; the same formula as optim::RMSprop).
struct RmspropStep {
    std::string label;              ///< the parameter's label
    std::vector<std::size_t> index; ///< the element's multi-index
    float lr = 0, rho = 0, eps = 0; ///< hyperparameters used
    float g = 0;                    ///< dL/dw for this element (from the parameter's grad())
    float v_before = 0;             ///< the running mean of g² before the step
    float v_after = 0;              ///< ρ·v + (1-ρ)·g²
    float denominator = 0;          ///< √v' + ε
    float update = 0;               ///< lr·g / (√v' + ε)
    float w_before = 0;             ///< the element before the step
    float w_after = 0;              ///< w - update
    /// A few lines with every piece and the numbers substituted.
    std::string text() const;
};

/// Explains one RMSprop step for element `index` of `param` from its current value and grad(),
/// with Keras' defaults (lr 1e-3, ρ 0.9, ε 1e-7) and the state v_before (0 on the first step).
/// Nothing is modified. GraphError when `param` has no gradient; ShapeError when `index` does
/// not address an element of the parameter; ValueError for ρ outside [0, 1), lr or ε < 0, or
/// v_before < 0.
RmspropStep explain_rmsprop_step(const Tensor& param, const std::vector<std::size_t>& index, float rho = 0.9f,
                                 float lr = 1e-3f, float eps = 1e-7f, float v_before = 0.f);

}  // namespace xgrad::study
