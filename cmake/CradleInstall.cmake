# `cmake --install build --prefix DIR` lays out:
#   DIR/bin/cradle
#   DIR/lib/libcradle.a and DIR/include/cradle/{sim,models,output}/... (every header, in its folder)
#   DIR/share/cradle/scenarios/ (the shipped scenarios, found by the installed cradle from bin/)
#   DIR/lib/cmake/Cradle/ (CradleConfig.cmake, CradleConfigVersion.cmake, CradleTargets.cmake)
set(CRADLE_SCENARIOS_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/cradle/scenarios)
set(CRADLE_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Cradle)

install(TARGETS cradle RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS cradle_lib EXPORT CradleTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Headers keep their folders so that "sim/input/scenario.h" resolves under include/cradle.
# No generated header is public (cradle_version.h is included by sim/cli/cli.cpp only).
foreach(dir sim models output)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cradle
          FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CRADLE_SCENARIOS_INSTALL_DIR})

install(EXPORT CradleTargets NAMESPACE Cradle:: DESTINATION ${CRADLE_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/CradleConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/CradleConfig.cmake
                              INSTALL_DESTINATION ${CRADLE_CMAKE_INSTALL_DIR}
                              PATH_VARS CRADLE_SCENARIOS_INSTALL_DIR)
# 0.x releases promise nothing across minor versions.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/CradleConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/CradleConfig.cmake ${PROJECT_BINARY_DIR}/cmake/CradleConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/CradleRandom123.cmake
        DESTINATION ${CRADLE_CMAKE_INSTALL_DIR})
