#pragma once
// Private: automatic names. Keras' come from the class name in snake_case, numbered.

#include <cctype>
#include <string>

namespace xgrad::nn::detail {

/// base_1, base_2, ...: process-wide counters for automatic names (input_1, dense_3, model_2),
/// unique until a model renumbers the layers it holds. Thread-safe.
std::string counted_name(const std::string& base);

/// "MaxPooling2D" -> "max_pooling2d", "Conv2D" -> "conv2d", "Dense" -> "dense" (Keras'
/// to_snake_case: an underscore before a capital that follows a lower-case letter).
inline std::string snake_case(const std::string& type_name) {
    std::string s;
    for (char ch : type_name) {
        const auto u = static_cast<unsigned char>(ch);
        if (std::isupper(u) && !s.empty() && std::islower(static_cast<unsigned char>(s.back()))) s += '_';
        s += char(std::tolower(u));
    }
    return s;
}

}  // namespace xgrad::nn::detail
