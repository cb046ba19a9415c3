#pragma once
/// @file embedding.hpp
/// nn::Embedding: Keras' lookup table from integer ids to dense vectors.

#include <cstddef>

#include "xgrad/nn/init.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::nn {

/// Keras' Embedding(input_dim, output_dim): ids (batch, ...) with integer values in
/// [0, input_dim) -> (batch, ..., output_dim), one row of the table "embeddings"
/// (input_dim x output_dim, uniform(-0.05, 0.05) as Keras) per id. The gradient is a
/// scatter-add of the output gradient into the rows that were looked up.
class Embedding : public Module {
public:
    /// Vocabulary size, vector size and (optionally) the initializer.
    Embedding(std::size_t input_dim, std::size_t output_dim,
              init::Initializer embeddings_initializer = init::random_uniform(-0.05f, 0.05f));
    /// embedding_lookup(table, ids).
    Tensor forward(const Tensor& ids) override;
    /// "Embedding".
    std::string type_name() const override { return "Embedding"; }
    /// input_dim, output_dim, embeddings_initializer.
    nlohmann::json config() const override;
    /// A copy sharing this layer's parameters (a functional model adopts a layer called by value).
    std::shared_ptr<Module> clone() const override { return std::make_shared<Embedding>(*this); }
    /// Creates the table (once); the output is input_shape + (output_dim).
    Shape build(const Shape& input_shape) override;
    /// True once the output shape is known.
    bool built() const override { return !output_shape_.empty(); }
    /// input_shape + (output_dim) once built.
    Shape output_shape() const override { return output_shape_; }
    /// The table (input_dim x output_dim); undefined before build.
    const Tensor& embeddings() const { return table_; }

private:
    std::size_t input_dim_, output_dim_;
    init::Initializer initializer_;
    Shape output_shape_;
    Tensor table_;
};

}  // namespace xgrad::nn
