xgrad_add_example(mnist)
xgrad_add_example(mnist_convnet)

# mnist --export-onnx, when xgrad::onnx is built.
if(TARGET xgrad_onnx)
  target_link_libraries(mnist PRIVATE xgrad_onnx)
  target_compile_definitions(mnist PRIVATE XGRAD_HAS_ONNX)
endif()
