#pragma once
/// @file nn.hpp
/// The Keras-style layer: modules, Dense, Conv2D, pooling, Flatten/Reshape, Dropout,
/// BatchNormalization, Embedding, Sequential, initializers, losses, metrics,
/// optimizers and the training loop.

#include "xgrad/losses.hpp"
#include "xgrad/metrics.hpp"
#include "xgrad/nn/activations.hpp"
#include "xgrad/nn/conv.hpp"
#include "xgrad/nn/dense.hpp"
#include "xgrad/nn/dropout.hpp"
#include "xgrad/nn/embedding.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/nn/input.hpp"
#include "xgrad/nn/merge.hpp"
#include "xgrad/nn/model.hpp"
#include "xgrad/nn/module.hpp"
#include "xgrad/nn/norm.hpp"
#include "xgrad/nn/pooling.hpp"
#include "xgrad/nn/reshape.hpp"
#include "xgrad/nn/sequential.hpp"
#include "xgrad/nn/serialization.hpp"
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/optim/optimizers.hpp"
#include "xgrad/train.hpp"
