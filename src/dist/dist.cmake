# xgrad::dist, a library of its own on top of xgrad: only programs that link it need MPI.
add_library(xgrad_dist
  ${CMAKE_CURRENT_LIST_DIR}/runtime.cpp
  ${CMAKE_CURRENT_LIST_DIR}/collectives.cpp
  ${CMAKE_CURRENT_LIST_DIR}/grad_buckets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/data_parallel.cpp)
add_library(xgrad::dist ALIAS xgrad_dist)
set_target_properties(xgrad_dist PROPERTIES EXPORT_NAME dist POSITION_INDEPENDENT_CODE ON)
target_link_libraries(xgrad_dist PUBLIC xgrad PRIVATE MPI::MPI_CXX)
target_include_directories(xgrad_dist PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
xgrad_warnings(xgrad_dist)
