#pragma once
// Small models of the ONNX tests, with reproducible weights and non-zero biases (so a
// dropped bias would show).
#include <string>

#include <xgrad/nn.hpp>
#include <xgrad/xgrad.hpp>

namespace xgrad::test::onnx_models {

/// Dense(hidden, act1, input_dim=in) -> Dense(out, act2), seeded, biases set to small values.
inline nn::Sequential mlp(std::size_t in, std::size_t hidden, std::size_t out, const std::string& act1,
                          const std::string& act2, std::uint64_t seed = 7) {
    manual_seed(seed);
    nn::Sequential net;
    net.add(nn::Dense(hidden, act1, in));
    net.add(nn::Dense(out, act2));
    float k = 0.f;
    for (auto& [name, p] : net.named_parameters()) {
        if (name.find("bias") == std::string::npos) continue;
        for (auto& v : p.data()) v = 0.05f * (k += 1.f) - 0.1f;
    }
    return net;
}

}  // namespace xgrad::test::onnx_models
