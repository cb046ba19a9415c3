target_sources(xgrad PRIVATE
  data/file_io.cpp
  data/idx.cpp
  data/sha256.cpp
  data/dataset.cpp
  data/mnist_format.cpp
  data/mnist.cpp
  data/fashion_mnist.cpp
  data/idx_folder.cpp
  data/fetch.cpp
)
