#pragma once
/// @file ch5_convnet.hpp
/// The convnet of Deep Learning with Python, ch. 5, as examples/mnist_convnet.cpp builds it
/// (layer for layer), for the benchmarks that time or probe it.

#include <xgrad/nn.hpp>

namespace xgrad::bench {

/// Conv2D(32, 3x3, relu, input 28x28x1) -> MaxPooling2D -> Conv2D(64, 3x3, relu) ->
/// MaxPooling2D -> Conv2D(64, 3x3, relu) -> Flatten -> Dense(64, relu) -> Dense(10, softmax);
/// its weights are drawn from xgrad's generator (seed it first).
inline nn::Sequential ch5_convnet() {
    nn::Sequential model;
    model.add(nn::Conv2D(32, {3, 3}, "relu", {.input_shape = {28, 28, 1}}));
    model.add(nn::MaxPooling2D({2, 2}));
    model.add(nn::Conv2D(64, {3, 3}, "relu"));
    model.add(nn::MaxPooling2D({2, 2}));
    model.add(nn::Conv2D(64, {3, 3}, "relu"));
    model.add(nn::Flatten());
    model.add(nn::Dense(64, "relu"));
    model.add(nn::Dense(10, "softmax"));
    return model;
}

}  // namespace xgrad::bench
