target_sources(xgrad PRIVATE
  nn/module.cpp
  nn/activations.cpp
  nn/init.cpp
  nn/dense.cpp
  nn/conv.cpp
  nn/pooling.cpp
  nn/reshape.cpp
  nn/dropout.cpp
  nn/norm.cpp
  nn/embedding.cpp
  nn/summary_table.cpp
  nn/model.cpp
  nn/sequential.cpp
  nn/losses.cpp
  nn/metrics.cpp
)
