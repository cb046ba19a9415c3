# xgrad::onnx: ONNX export, a library of its own so that the core never needs protobuf.
add_library(xgrad_onnx
  onnx/graph_builder.cpp
  onnx/registry.cpp
  onnx/builtin_layers.cpp
  onnx/window_helpers.cpp
  onnx/conv_layers.cpp
  onnx/trace.cpp
  onnx/traced_ops.cpp
  onnx/functional.cpp
  onnx/export.cpp
)
add_library(xgrad::onnx ALIAS xgrad_onnx)
set_target_properties(xgrad_onnx PROPERTIES EXPORT_NAME onnx POSITION_INDEPENDENT_CODE ON)
target_include_directories(xgrad_onnx PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
# `onnx` brings ONNX_ML=1 and ONNX_NAMESPACE=onnx, which the generated headers need.
target_link_libraries(xgrad_onnx PUBLIC xgrad PRIVATE onnx onnx_proto protobuf::libprotobuf)
target_compile_definitions(xgrad_onnx PRIVATE XGRAD_VERSION="${PROJECT_VERSION}")
target_compile_options(xgrad_onnx PRIVATE -Wall -Wextra)
