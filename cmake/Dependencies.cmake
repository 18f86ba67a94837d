# Third-party dependencies, all from Debian packages (see shared/DEPENDENCIES.md).
# Shared between the build and the installed package config so consumers get the
# same imported targets.
include(CMakeFindDependencyMacro)

find_package(Armadillo REQUIRED)
find_package(Boost REQUIRED)
find_package(TBB REQUIRED)
find_package(toml11 REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)  # gzip IDX datasets (nn)
# ONNX import (io): ONNX's CMake config needs protobuf::libprotobuf to exist first.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)

# Armadillo ships no imported target; link OpenBLAS explicitly so GEMMs never fall
# back to the reference BLAS.
if(NOT TARGET xbarsim_armadillo)
  find_library(XBARSIM_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
  add_library(xbarsim_armadillo INTERFACE IMPORTED)
  set_target_properties(xbarsim_armadillo PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ARMADILLO_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${ARMADILLO_LIBRARIES};${XBARSIM_OPENBLAS_LIBRARY}"
    INTERFACE_COMPILE_DEFINITIONS "ARMA_DONT_USE_WRAPPER;ARMA_USE_BLAS;ARMA_USE_LAPACK")
endif()
if(NOT TARGET xbarsim_hdf5)
  add_library(xbarsim_hdf5 INTERFACE IMPORTED)
  set_target_properties(xbarsim_hdf5 PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${HDF5_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${HDF5_CXX_LIBRARIES};${HDF5_LIBRARIES}")
endif()
