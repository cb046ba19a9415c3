target_sources(xgrad PRIVATE
  optim/optimizer.cpp
  optim/optimizers.cpp
)
# The update loops call sqrt per element: without errno they vectorise.
set_source_files_properties(optim/optimizers.cpp PROPERTIES COMPILE_OPTIONS "-fno-math-errno" SKIP_PRECOMPILE_HEADERS ON)
