#pragma once
/// @file gradcheck.hpp
/// Checks analytic gradients against central finite differences.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad {

/// Tolerances of gradcheck. Values are float32, so the step is float-aware: h = eps*max(1,|x|),
/// the sums are taken in double, and a mismatch is |analytic - numeric| > atol + rtol*|numeric|.
struct GradcheckOptions {
    double eps = 1e-3;          ///< relative finite-difference step
    double atol = 1e-2;         ///< absolute tolerance
    double rtol = 1e-2;         ///< relative tolerance
    std::uint64_t seed = 1234;  ///< seed of the random projection of non-scalar outputs
};

/// The worst element found by gradcheck.
struct GradcheckResult {
    bool ok = true;            ///< every element within tolerance
    std::size_t input = 0;     ///< which input held the worst element
    std::size_t index = 0;     ///< its flat index
    double analytic = 0;       ///< backward()'s value there
    double numeric = 0;        ///< the central difference there
    double excess = 0;         ///< |analytic - numeric| / (atol + rtol*|numeric|); > 1 fails
    std::string report;        ///< a readable line describing the worst element
};

/// Compares backward() of f(inputs) with central differences for every element of every
/// input that requires grad. A non-scalar output is projected on fixed random weights.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace xgrad
