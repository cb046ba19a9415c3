target_sources(xgrad PRIVATE
  optim/optimizer.cpp
  optim/optimizers.cpp
)
# map2_ formulas round exactly as the recorded ops do (no FMA contraction); without errno, sqrt
# vectorises. Flags differ from the precompiled header's, so no PCH (as ops/inplace.cpp).
set_source_files_properties(optim/optimizers.cpp PROPERTIES COMPILE_OPTIONS "-ffp-contract=off;-fno-math-errno"
                            SKIP_PRECOMPILE_HEADERS ON)
