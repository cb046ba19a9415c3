target_sources(xgrad PRIVATE
  ops/common.cpp
  ops/elementwise.cpp
  ops/shape.cpp
  ops/reduce.cpp
  ops/linalg.cpp
  ops/activation.cpp
)
