// Embedding: a trainable table read by embedding_lookup.
#include "xgrad/nn/embedding.hpp"

#include "xgrad/format.hpp"
#include "xgrad/ops/nn_ops.hpp"

namespace xgrad::nn {

Embedding::Embedding(std::size_t input_dim, std::size_t output_dim, init::Initializer embeddings_initializer)
    : input_dim_(input_dim), output_dim_(output_dim), initializer_(std::move(embeddings_initializer)) {
    if (input_dim_ == 0 || output_dim_ == 0) {
        throw ValueError("Embedding: input_dim and output_dim must be positive, got " + std::to_string(input_dim_) + " and " +
                         std::to_string(output_dim_));
    }
}

Shape Embedding::build(const Shape& input_shape) {
    if (!table_.defined()) table_ = register_parameter("embeddings", initializer_({input_dim_, output_dim_}));
    output_shape_ = input_shape;
    output_shape_.push_back(output_dim_);
    return output_shape_;
}

Tensor Embedding::forward(const Tensor& ids) {
    if (name().empty()) set_name("embedding");
    if (ids.ndim() < 1) throw ShapeError(name() + ": Embedding needs ids with a batch axis, got " + describe(ids));
    build(Shape(ids.shape().begin() + 1, ids.shape().end()));
    NameScope scope(name());
    return embedding_lookup(table_, ids);
}

}  // namespace xgrad::nn
