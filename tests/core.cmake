xgrad_add_test(test_core
  SOURCES test_tensor.cpp test_ops_grad.cpp test_conv_ops.cpp test_autograd.cpp test_core_errors.cpp test_function.cpp
  SUITES tensor ops_grad ops_values conv_grad conv_values conv_errors autograd higher_order core_errors core_io
         custom_op)

add_test(NAME install.find_package_consumer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR})
# The user-defined op example (examples/custom_op), built from the installed package.
add_test(NAME install.custom_op_example
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR}
                 ${PROJECT_SOURCE_DIR}/examples/custom_op swish)
