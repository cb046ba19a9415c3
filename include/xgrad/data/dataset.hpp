#pragma once
/// @file dataset.hpp
/// In-memory datasets and label encoding.

#include <xgrad/xt.hpp>

#include <cstddef>

namespace xgrad::data {

/// Inputs and labels of one split, as float32 arrays ready for training.
struct Dataset {
    Array images;  ///< (N, features), e.g. (N, 784) in [0, 1] for MNIST
    Array labels;  ///< (N,) integer class ids stored as float
};

/// One-hot encoding, as Keras' to_categorical: out(i, labels(i)) = 1, else 0.
/// @param labels  (N,) integer class ids in [0, classes)
/// @param classes number of classes (> 0)
/// @return (N, classes) float32
/// @throws xgrad::ValueError naming the first bad label and its index (negative, not an
///         integer, not finite, or >= classes), or for classes == 0;
///         xgrad::ShapeError if labels is not 1-D.
Array to_categorical(const Array& labels, std::size_t classes);

}  // namespace xgrad::data
