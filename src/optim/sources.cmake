target_sources(xgrad PRIVATE
  optim/optimizer.cpp
  optim/optimizers.cpp
)
