target_sources(xgrad PRIVATE
  ops/common.cpp
  ops/elementwise.cpp
  ops/shape.cpp
  ops/reduce.cpp
  ops/linalg.cpp
  ops/activation.cpp
  ops/inplace.cpp
  ops/parallel.cpp
)
# In-place kernels round exactly as written (no FMA contraction): chains of them and their
# recorded twins give the same bits. Without errno, sqrt vectorises.
set_source_files_properties(ops/inplace.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off;-fno-math-errno")
