target_sources(xgrad PRIVATE
  study/stepper.cpp
  study/rules.cpp
  study/trace.cpp
  study/optimizer.cpp
  study/explorer.cpp
  study/frames.cpp
  study/forward.cpp
  study/update.cpp
  study/pictures.cpp
  study/training_step.cpp
)
