// The process-wide generator behind initializers and shuffling.
#include "xgrad/random.hpp"

namespace xgrad {

namespace {
std::mt19937_64& engine() {
    static std::mt19937_64 gen(5489u);
    return gen;
}
}  // namespace

void manual_seed(std::uint64_t seed) { engine().seed(seed); }
std::mt19937_64& generator() { return engine(); }

Array random_normal(const Shape& shape, float mean, float stddev) {
    Array out(Array::shape_type(shape.begin(), shape.end()));
    std::normal_distribution<float> dist(mean, stddev);
    for (auto& v : out) v = dist(engine());
    return out;
}

Array random_uniform(const Shape& shape, float low, float high) {
    Array out(Array::shape_type(shape.begin(), shape.end()));
    std::uniform_real_distribution<float> dist(low, high);
    for (auto& v : out) v = dist(engine());
    return out;
}

}  // namespace xgrad
