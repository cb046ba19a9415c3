xgrad_add_example(mnist)
xgrad_add_example(mnist_convnet)
if(TARGET xgrad_dist)
  target_link_libraries(mnist PRIVATE xgrad_dist)  # `mpirun -np N mnist` (docs/distributed.md)
endif()

# mnist and mnist_convnet --export-onnx, when xgrad::onnx is built.
if(TARGET xgrad_onnx)
  foreach(example mnist mnist_convnet)
    target_link_libraries(${example} PRIVATE xgrad_onnx)
  endforeach()
endif()
