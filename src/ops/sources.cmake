target_sources(xgrad PRIVATE
  ops/common.cpp
  ops/elementwise.cpp
  ops/shape.cpp
  ops/reduce.cpp
  ops/linalg.cpp
  ops/activation.cpp
  ops/window.cpp
  ops/conv.cpp
  ops/pooling.cpp
  ops/nn_ops.cpp
)
