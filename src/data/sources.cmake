target_sources(xgrad PRIVATE
  data/file_io.cpp
  data/idx.cpp
  data/sha256.cpp
  data/dataset.cpp
  data/mnist.cpp
  data/fetch.cpp
)
