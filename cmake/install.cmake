# `cmake --install` puts headers, the library and a CMake package in place so that another
# project can `find_package(xgrad)` and link `xgrad::xgrad`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(xgrad_installed xgrad xgrad_flags)
if(XGRAD_HAVE_DIST)
  list(APPEND xgrad_installed xgrad_dist)  # exported as xgrad::dist
endif()
if(XGRAD_HAS_ONNX)
  list(APPEND xgrad_installed xgrad_onnx)  # xgrad::onnx
endif()
install(TARGETS ${xgrad_installed} EXPORT xgradTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(XGRAD_HAVE_DIST)
  install(DIRECTORY include/xgrad DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
else()
  install(DIRECTORY include/xgrad DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN dist EXCLUDE)
endif()
install(EXPORT xgradTargets NAMESPACE xgrad:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)
configure_package_config_file(cmake/xgradConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/xgradConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/xgradConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/xgradConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/xgradConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/xgrad)
