target_sources(xgrad PRIVATE
  train/fit.cpp
  train/weights.cpp
  train/weights_io.cpp
  train/history.cpp
  train/callbacks.cpp
  train/progbar.cpp
)
