xgrad_add_example(mnist)
if(TARGET xgrad_dist)
  target_link_libraries(mnist PRIVATE xgrad_dist)  # `mpirun -np N mnist` (docs/distributed.md)
endif()
