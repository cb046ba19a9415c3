xgrad_add_example(mnist)
xgrad_add_example(mnist_convnet)

# mnist and mnist_convnet --export-onnx, when xgrad::onnx is built.
if(TARGET xgrad_onnx)
  foreach(example mnist mnist_convnet)
    target_link_libraries(${example} PRIVATE xgrad_onnx)
    target_compile_definitions(${example} PRIVATE XGRAD_HAS_ONNX)
  endforeach()
endif()
