# ONNX export (xgrad::onnx, when libonnx-dev is found). The *_runtime suites run the
# exported files in ONNX Runtime through node and npm's onnxruntime-node
# (scripts/install_onnxruntime.sh); without them it skips with a message.
if(TARGET xgrad_onnx)
  xgrad_add_test(test_onnx SOURCES test_onnx.cpp test_onnx_runtime.cpp test_onnx_layers.cpp test_onnx_functional.cpp
    test_onnx_traced.cpp
    SUITES onnx_export onnx_errors onnx_runtime onnx_layers_structure onnx_layers_runtime onnx_functional
           onnx_functional_runtime onnx_traced_structure onnx_traced_errors onnx_traced_runtime)
  target_link_libraries(test_onnx PRIVATE xgrad_onnx onnx onnx_proto protobuf::libprotobuf ZLIB::ZLIB)
  # GCC 12 reports -Wmaybe-uninitialized inside boost::function's copy for the precondition
  # lambda of a test case (Boost.Test's own code), as in tests/study.cmake.
  set_source_files_properties(test_onnx.cpp PROPERTIES COMPILE_OPTIONS $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  find_program(XGRAD_NODE node)
  target_compile_definitions(test_onnx PRIVATE XGRAD_NODE="${XGRAD_NODE}")
endif()
