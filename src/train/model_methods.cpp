// nn::Model's Keras methods, defined here so that nn/ knows no training loop: each one hands
// the model to the engine (train/engine.cpp) without copying the caller's arrays.
#include "train/engine_impl.hpp"
#include "xgrad/format.hpp"

namespace xgrad::nn {

using train::impl::ArrayRefs;
using train::impl::refs;

train::History Model::fit(const Array& x, const Array& y) { return fit(x, y, train::FitOptions{}); }
train::History Model::fit(const Array& x, const Array& y, const train::FitOptions& options) {
    return train::impl::fit(*this, ArrayRefs{&x}, ArrayRefs{&y}, options);
}
train::History Model::fit(const std::vector<Array>& x, const std::vector<Array>& y) {
    return fit(x, y, train::FitOptions{});
}
train::History Model::fit(const std::vector<Array>& x, const std::vector<Array>& y, const train::FitOptions& options) {
    return train::impl::fit(*this, refs(x), refs(y), options);
}

std::map<std::string, double> Model::evaluate(const Array& x, const Array& y) {
    return evaluate(x, y, train::EvaluateOptions{});
}
std::map<std::string, double> Model::evaluate(const Array& x, const Array& y, const train::EvaluateOptions& options) {
    return train::impl::evaluate(*this, ArrayRefs{&x}, ArrayRefs{&y}, options);
}
std::map<std::string, double> Model::evaluate(const std::vector<Array>& x, const std::vector<Array>& y) {
    return evaluate(x, y, train::EvaluateOptions{});
}
std::map<std::string, double> Model::evaluate(const std::vector<Array>& x, const std::vector<Array>& y,
                                              const train::EvaluateOptions& options) {
    return train::impl::evaluate(*this, refs(x), refs(y), options);
}

Array Model::predict(const Array& x) { return predict(x, train::PredictOptions{}); }
Array Model::predict(const Array& x, const train::PredictOptions& options) {
    if (num_outputs() != 1) {
        throw ValueError("predict: model '" + name() + "' has " + std::to_string(num_outputs()) +
                         " outputs; call predict(std::vector<Array>{...}) to get one array per output");
    }
    return std::move(train::impl::predict(*this, ArrayRefs{&x}, options).front());
}
std::vector<Array> Model::predict(const std::vector<Array>& x) { return predict(x, train::PredictOptions{}); }
std::vector<Array> Model::predict(const std::vector<Array>& x, const train::PredictOptions& options) {
    return train::impl::predict(*this, refs(x), options);
}

void Model::save_weights(const std::string& path) const { save_weights(path, train::SaveOptions{}); }
void Model::load_weights(const std::string& path) { load_weights(path, train::LoadOptions{}); }

}  // namespace xgrad::nn
