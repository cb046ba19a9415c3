target_sources(xgrad PRIVATE
  train/engine.cpp
  train/model_methods.cpp
  train/distribution.cpp
  train/weights.cpp
  train/weights_io.cpp
  train/history.cpp
  train/callbacks.cpp
  train/progbar.cpp
)
