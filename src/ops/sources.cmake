target_sources(xgrad PRIVATE
  ops/common.cpp
  ops/elementwise.cpp
  ops/shape.cpp
  ops/reduce.cpp
  ops/linalg.cpp
  ops/gemm.cpp
  ops/activation.cpp
  ops/inplace.cpp
  ops/parallel.cpp
  ops/window.cpp
  ops/conv.cpp
  ops/pooling.cpp
  ops/nn_ops.cpp
  ops/collective.cpp
)
# In-place kernels round exactly as written (no FMA contraction): chains of them and their
# recorded twins give the same bits. Without errno, sqrt vectorises.
# Its flags differ from the precompiled header's, so it compiles without it (GCC would reject the
# header with -Winvalid-pch, an error under XGRAD_WERROR).
set_source_files_properties(ops/inplace.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off;-fno-math-errno"
                            SKIP_PRECOMPILE_HEADERS ON)
