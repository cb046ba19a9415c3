target_sources(xgrad PRIVATE
  train/engine.cpp
  train/prefetch.cpp
  train/model_methods.cpp
  train/distribution.cpp
  train/weights.cpp
  train/weights_io.cpp
  train/model_io.cpp
  train/history.cpp
  train/callbacks.cpp
  train/callback_helpers.cpp
  train/lr_callbacks.cpp
  train/file_callbacks.cpp
  train/progbar.cpp
)
# train::HtmlReport and the charting library it embeds (cmake/chartjs.cmake).
target_sources(xgrad PRIVATE train/html_report.cpp)
include(${PROJECT_SOURCE_DIR}/cmake/chartjs.cmake)
