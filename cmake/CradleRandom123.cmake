# Random123 is header-only and ships no CMake package: find its headers and name them
# Cradle::Random123 (sim/random/rng.h includes them). Used by the build and, installed,
# by CradleConfig.cmake, so that the exported library names a target rather than the
# build machine's include path. Leaves the target undefined when the headers are missing.
if(NOT TARGET Cradle::Random123)
  find_path(RANDOM123_INCLUDE_DIR Random123/philox.h)
  if(RANDOM123_INCLUDE_DIR)
    add_library(Cradle::Random123 INTERFACE IMPORTED)
    set_target_properties(Cradle::Random123 PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${RANDOM123_INCLUDE_DIR}")
  endif()
endif()
