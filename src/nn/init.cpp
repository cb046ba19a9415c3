// Initializers: Keras' fan rules and formulas on xgrad::generator().
#include "xgrad/nn/init.hpp"

#include <cmath>
#include <random>

#include "xgrad/error.hpp"
#include "xgrad/random.hpp"

namespace xgrad::nn::init {

namespace {

std::pair<double, double> fans(const Shape& s) {
    if (s.empty()) return {1.0, 1.0};
    if (s.size() == 1) return {double(s[0]), double(s[0])};
    double receptive = 1.0;
    for (std::size_t i = 0; i + 2 < s.size(); ++i) receptive *= double(s[i]);
    return {double(s[s.size() - 2]) * receptive, double(s.back()) * receptive};
}

Array filled(const Shape& shape, float v) { return Array(Array::shape_type(shape.begin(), shape.end()), v); }

// Keras' truncated normal: redraw samples beyond two standard deviations. The 0.8796...
// factor (stddev of a unit normal truncated at ±2) restores the intended variance.
Array truncated_normal(const Shape& shape, double stddev) {
    Array out = filled(shape, 0.f);
    std::normal_distribution<double> dist(0.0, 1.0);
    const double s = stddev / 0.87962566103423978;
    for (auto& v : out) {
        double z;
        do z = dist(generator());
        while (std::abs(z) > 2.0);
        v = float(z * s);
    }
    return out;
}

Initializer lookup(const std::string& name) {
    if (name == "glorot_uniform") return glorot_uniform();
    if (name == "glorot_normal") return glorot_normal();
    if (name == "he_uniform") return he_uniform();
    if (name == "he_normal") return he_normal();
    if (name == "zeros") return zeros();
    if (name == "ones") return ones();
    if (name == "random_normal") return random_normal();
    if (name == "random_uniform") return random_uniform();
    throw ValueError("initializer: unknown initializer '" + name + "'; valid names: " + initializer_names());
}

}  // namespace

std::string initializer_names() {
    return "glorot_uniform, glorot_normal, he_uniform, he_normal, zeros, ones, random_normal, random_uniform";
}

Initializer::Initializer(const char* name) : Initializer(std::string(name)) {}
Initializer::Initializer(const std::string& name) : Initializer(lookup(name)) {}
Initializer::Initializer(std::string name, std::function<Array(const Shape&)> fn, std::map<std::string, float> arguments)
    : name_(std::move(name)), fn_(std::move(fn)), arguments_(std::move(arguments)) {}

Initializer get(const std::string& name, const std::map<std::string, float>& arguments) {
    const Initializer defaults(name);  // ValueError for an unknown name
    std::string taken;
    for (const auto& [k, v] : defaults.arguments()) taken += (taken.empty() ? "" : ", ") + k;
    for (const auto& [k, v] : arguments) {
        if (!defaults.arguments().count(k)) {
            throw ValueError("initializer '" + name + "' has no argument '" + k + "'" +
                             (taken.empty() ? std::string(" (it takes none)") : " (it takes " + taken + ")"));
        }
    }
    auto value = [&](const char* k) {
        auto it = arguments.find(k);
        return it != arguments.end() ? it->second : defaults.arguments().at(k);
    };
    if (name == "random_normal") return random_normal(value("mean"), value("stddev"));
    if (name == "random_uniform") return random_uniform(value("minval"), value("maxval"));
    return defaults;
}

Initializer glorot_uniform() {
    return {"glorot_uniform", [](const Shape& s) {
                auto [in, out] = fans(s);
                const float l = float(std::sqrt(6.0 / (in + out)));
                return xgrad::random_uniform(s, -l, l);
            }};
}

Initializer glorot_normal() {
    return {"glorot_normal", [](const Shape& s) {
                auto [in, out] = fans(s);
                return truncated_normal(s, std::sqrt(2.0 / (in + out)));
            }};
}

Initializer he_uniform() {
    return {"he_uniform", [](const Shape& s) {
                const float l = float(std::sqrt(6.0 / fans(s).first));
                return xgrad::random_uniform(s, -l, l);
            }};
}

Initializer he_normal() {
    return {"he_normal", [](const Shape& s) { return truncated_normal(s, std::sqrt(2.0 / fans(s).first)); }};
}

Initializer zeros() {
    return {"zeros", [](const Shape& s) { return filled(s, 0.f); }};
}

Initializer ones() {
    return {"ones", [](const Shape& s) { return filled(s, 1.f); }};
}

Initializer random_normal(float mean, float stddev) {
    return {"random_normal", [=](const Shape& s) { return xgrad::random_normal(s, mean, stddev); },
            {{"mean", mean}, {"stddev", stddev}}};
}

Initializer random_uniform(float minval, float maxval) {
    return {"random_uniform", [=](const Shape& s) { return xgrad::random_uniform(s, minval, maxval); },
            {{"minval", minval}, {"maxval", maxval}}};
}

}  // namespace xgrad::nn::init
