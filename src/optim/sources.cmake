target_sources(xgrad PRIVATE
  optim/optimizer.cpp
  optim/optimizers.cpp
  optim/optimizer_config.cpp
)
# map_ formulas round exactly as the recorded ops do (no FMA contraction); without errno, sqrt
# vectorises. GCC 12's false -W(maybe-)uninitialized inside _mm512_sqrt_ps (see
# src/CMakeLists.txt) is reported where a formula is inlined, which map.hpp's pragmas do not
# always cover (the -O2 sanitizer build). Flags differ from the precompiled header's, so no PCH.
set_source_files_properties(optim/optimizers.cpp PROPERTIES
  COMPILE_OPTIONS "-ffp-contract=off;-fno-math-errno;$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>;-Wno-uninitialized"
  SKIP_PRECOMPILE_HEADERS ON)
