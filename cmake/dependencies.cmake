# Dependencies, all from Debian packages (scripts/setup.sh installs them).
find_package(xtl REQUIRED)
find_package(xsimd REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 of the datasets (libcrypto EVP)
find_package(nlohmann_json 3.10 REQUIRED)          # History JSON
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
