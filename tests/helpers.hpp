#pragma once
// Shared test helpers: message predicates and gradcheck assertions.

#include <boost/test/unit_test.hpp>
#include <string>
#include <xgrad/xgrad.hpp>

namespace xgrad::test {

/// Predicate for BOOST_CHECK_EXCEPTION: the exception's message contains `part`.
struct has_message {
    std::string part;
    template <class E>
    bool operator()(const E& e) const {
        const std::string what = e.what();
        BOOST_TEST_INFO("message: " << what);
        return what.find(part) != std::string::npos;
    }
};

/// A column vector (n x 1): `Array{{1}, {2}}` is ambiguous for xtensor.
inline Array column(std::initializer_list<float> values) {
    // Shaped (n, 1) at once: the (n) array reshaped after made GCC 12 warn (-Wmaybe-uninitialized,
    // inside xtensor's svector copy) depending on what else the precompiled header held.
    Array a(Array::shape_type{values.size(), 1});
    std::copy(values.begin(), values.end(), a.begin());
    return a;
}

/// Values from `lo` to `hi` in `n` even steps, shaped `shape` (deterministic, no ties).
inline Array ramp(const Shape& shape, float lo, float hi) {
    Array a(Array::shape_type(shape.begin(), shape.end()));
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n; ++i) a.data()[i] = n > 1 ? lo + (hi - lo) * float(i) / float(n - 1) : lo;
    return a;
}

/// A deterministic, shuffled ramp: distinct values without the structure of a plain ramp.
inline Array mixed(const Shape& shape, float lo, float hi) {
    Array a = ramp(shape, lo, hi);
    const std::size_t n = a.size();
    for (std::size_t i = 0; i < n; ++i) std::swap(a.data()[i], a.data()[(i * 7 + 3) % n]);
    return a;
}

/// `classes` Gaussian blobs in `features` dimensions (N(0, stddev²) noise, feature i % classes
/// shifted by `shift` for sample i) with one-hot targets; reseeds the generator with `seed`.
inline std::pair<Array, Array> blobs(std::size_t n, std::size_t features, std::size_t classes, std::uint64_t seed,
                                     float stddev, float shift) {
    manual_seed(seed);
    Array x = random_normal({n, features}, 0.f, stddev);
    Array y(Array::shape_type{n, classes}, 0.f);
    for (std::size_t i = 0; i < n; ++i) {
        x(i, i % classes) += shift;
        y(i, i % classes) = 1.f;
    }
    return {x, y};
}

}  // namespace xgrad::test

/// Checks f's gradients at `inputs` against finite differences, printing the worst element.
#define XGRAD_CHECK_GRAD(f, ...)                                        \
    do {                                                                \
        auto xgrad_r_ = ::xgrad::gradcheck((f), {__VA_ARGS__});         \
        BOOST_TEST(xgrad_r_.ok, xgrad_r_.report);                       \
    } while (0)
