xgrad_add_test(test_core
  SOURCES test_tensor.cpp test_ops_grad.cpp test_conv_ops.cpp test_autograd.cpp test_core_errors.cpp test_function.cpp
          test_inplace.cpp test_collective_ops.cpp
  SUITES tensor ops_grad ops_values conv_grad conv_values conv_errors autograd higher_order core_errors core_io custom_op
         inplace inplace_engine collective_ops)

add_test(NAME install.find_package_consumer
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR})
# The user-defined op example (examples/custom_op), built from the installed package.
add_test(NAME install.custom_op_example
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR}
                 ${PROJECT_SOURCE_DIR}/examples/custom_op swish)
# test_inplace compares map_ formulas with the eager primitives bit for bit: like src/optim, it
# compiles without FMA contraction (GCC contracts by default, -std=c++20 too), so without the
# precompiled header (whose flags would differ).
# (And, like src/optim/optimizers.cpp, without GCC 12's false AVX-512 uninitialized warnings.)
set_source_files_properties(test_inplace.cpp PROPERTIES
  COMPILE_OPTIONS "-ffp-contract=off;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;-Wno-uninitialized" SKIP_PRECOMPILE_HEADERS ON)
