# Dependencies, all from Debian packages (scripts/setup.sh installs them).
find_package(xtl REQUIRED)
find_package(xsimd REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 of the datasets (libcrypto EVP)
find_package(nlohmann_json 3.10 REQUIRED)          # History JSON, layer configs, saved models
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(GVC REQUIRED IMPORTED_TARGET libgvc libcgraph)
if(XGRAD_BUILD_EXAMPLES)
  find_package(CLI11 REQUIRED)  # the examples' command lines (Debian: libcli11-dev)
endif()
if(XGRAD_BUILD_TESTS)
  find_package(Boost REQUIRED COMPONENTS unit_test_framework)
endif()
# MPI is optional: when CMake finds it, xgrad::dist (collectives and data-parallel training
# under mpirun) is built and installed too. scripts/setup.sh installs OpenMPI.
option(XGRAD_WITH_MPI "Build xgrad::dist when MPI is found" ON)
set(XGRAD_HAVE_DIST OFF)
if(XGRAD_WITH_MPI)
  # The project is C++ only: MPI's C API through the C++ compiler, without the deprecated
  # C++ bindings (libmpi_cxx).
  set(MPI_CXX_SKIP_MPICXX ON)
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(XGRAD_HAVE_DIST ON)
  else()
    message(STATUS "xgrad: MPI not found; xgrad::dist and its tests are skipped (apt-get install libopenmpi-dev openmpi-bin)")
  endif()
endif()

# ONNX export (xgrad::onnx), optional: Debian's libonnx-dev and libprotobuf-dev
# (scripts/setup.sh onnx). AUTO builds it when both are found, ON requires them, OFF skips it.
set(XGRAD_ONNX AUTO CACHE STRING "Build the ONNX exporter xgrad::onnx: AUTO, ON or OFF")
set_property(CACHE XGRAD_ONNX PROPERTY STRINGS AUTO ON OFF)
set(XGRAD_HAS_ONNX OFF)
if(NOT XGRAD_ONNX STREQUAL "OFF")
  # ONNX's exported targets link protobuf::libprotobuf: find Protobuf first.
  find_package(Protobuf QUIET)
  if(Protobuf_FOUND)
    find_package(ONNX QUIET)
  endif()
  if(Protobuf_FOUND AND ONNX_FOUND AND TARGET onnx)
    set(XGRAD_HAS_ONNX ON)
  elseif(XGRAD_ONNX STREQUAL "ON")
    message(FATAL_ERROR "XGRAD_ONNX=ON but libonnx-dev/libprotobuf-dev were not found (scripts/setup.sh onnx)")
  else()
    message(STATUS "xgrad: ONNX export disabled (install libonnx-dev libprotobuf-dev: scripts/setup.sh onnx)")
  endif()
endif()
