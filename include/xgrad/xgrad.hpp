#pragma once
/// @file xgrad.hpp
/// The umbrella header: everything a user needs.

#include "xgrad/autograd.hpp"
#include "xgrad/data/dataset.hpp"
#include "xgrad/data/idx.hpp"
#include "xgrad/data/mnist.hpp"
#include "xgrad/data/sha256.hpp"
#include "xgrad/error.hpp"
#include "xgrad/format.hpp"
#include "xgrad/gradcheck.hpp"
#include "xgrad/graph.hpp"
#include "xgrad/ops/activation.hpp"
#include "xgrad/ops/elementwise.hpp"
#include "xgrad/ops/linalg.hpp"
#include "xgrad/ops/reduce.hpp"
#include "xgrad/ops/shape.hpp"
#include "xgrad/random.hpp"
#include "xgrad/tensor.hpp"
#include "xgrad/threads.hpp"
#include "xgrad/xt.hpp"
