target_sources(xgrad PRIVATE
  viz/emit.cpp
  viz/forward.cpp
  viz/backward.cpp
  viz/render.cpp
)
