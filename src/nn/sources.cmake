target_sources(xgrad PRIVATE
  nn/module.cpp
  nn/activations.cpp
  nn/init.cpp
  nn/dense.cpp
  nn/summary_table.cpp
  nn/model.cpp
  nn/sequential.cpp
  nn/losses.cpp
  nn/metrics.cpp
)
