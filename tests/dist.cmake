# xgrad::dist. The collective and training suites run as 2 MPI processes (mpirun -np 2); the
# single-process suite runs the same binary without a launcher. Without MPI one entry says so.
if(NOT TARGET xgrad_dist)
  add_test(NAME dist.mpi_missing COMMAND ${CMAKE_COMMAND} -E echo
           "MPI not found: xgrad::dist tests skipped (apt-get install libopenmpi-dev openmpi-bin)")
  set_tests_properties(dist.mpi_missing PROPERTIES SKIP_REGULAR_EXPRESSION "MPI not found")
  return()
endif()

xgrad_add_test(test_dist SOURCES test_dist.cpp test_dist_sync.cpp)
# The gradient suite drives the private bucket reducer directly (src/dist), which speaks MPI.
target_link_libraries(test_dist PRIVATE xgrad_dist MPI::MPI_CXX)
# xtensor's array printer (xio.hpp, used in failure messages) trips GCC 12's false
# -Wstringop-overflow and -Wrestrict when inlined here; both are about third-party code.
target_compile_options(test_dist PRIVATE -Wno-stringop-overflow -Wno-restrict)
target_include_directories(test_dist PRIVATE ${PROJECT_SOURCE_DIR}/src)
add_executable(dist_failure dist_failure.cpp)
xgrad_api_user_warnings(dist_failure)
target_link_libraries(dist_failure PRIVATE xgrad_dist)

# OpenMPI refuses root without --allow-run-as-root and more ranks than cores without
# --oversubscribe (CI machines have 2 cores and run tests in parallel).
set(XGRAD_MPIRUN ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2)
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE mpiexec_version ERROR_QUIET)
if(mpiexec_version MATCHES "Open MPI|OpenRTE")
  list(APPEND XGRAD_MPIRUN --oversubscribe --allow-run-as-root)
endif()
list(APPEND XGRAD_MPIRUN ${MPIEXEC_PREFLAGS})
set(mpi_env "")
if(XGRAD_SANITIZE)
  # OpenMPI's plugins leak at exit and are unloaded before LeakSanitizer reports, so their
  # leaks cannot be suppressed by name: the MPI jobs run ASan and UBSan without leak checks
  # (dist_single, which starts no MPI, keeps them).
  set(mpi_env "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1")
endif()

add_test(NAME test_dist.dist_single COMMAND test_dist --run_test=dist_single --report_level=short)
foreach(suite dist_collectives dist_gradients dist_train dist_sync)
  add_test(NAME test_dist.${suite}
           COMMAND ${XGRAD_MPIRUN} $<TARGET_FILE:test_dist> --run_test=${suite} --report_level=short)
endforeach()
# A rank that throws, exits with an error or is killed ends the whole job within seconds.
foreach(mode throw exit kill)
  add_test(NAME dist.failure_${mode}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dist_failure.sh ${mode} $<TARGET_FILE:dist_failure> ${XGRAD_MPIRUN})
endforeach()
# A short data-parallel MNIST run of the example, when the data is there.
if(XGRAD_BUILD_EXAMPLES)
  add_test(NAME dist.mnist_subset
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dist_mnist.sh $<TARGET_FILE:mnist> ${XGRAD_MPIRUN})
  set_tests_properties(dist.mnist_subset PROPERTIES SKIP_REGULAR_EXPRESSION "SKIPPED: no MNIST data")
endif()
get_property(dist_tests DIRECTORY PROPERTY TESTS)
list(FILTER dist_tests INCLUDE REGEX "^(test_)?dist[._]")
set_tests_properties(${dist_tests} PROPERTIES TIMEOUT 120)
if(mpi_env)
  list(REMOVE_ITEM dist_tests test_dist.dist_single)
  set_tests_properties(${dist_tests} PROPERTIES ENVIRONMENT "${mpi_env}")
endif()
