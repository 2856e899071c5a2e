# The `installed_package` test (cmake -P): installs the build in BUILD_DIR into a fresh prefix
# under WORK_DIR, runs the installed cradle on its shipped default scenario from a working
# directory outside the sources and the build, then configures, builds and runs the
# downstream project in CONSUMER_DIR against the installed package.
# Inputs: BUILD_DIR, WORK_DIR, CONSUMER_DIR, GENERATOR, CXX_COMPILER, C_COMPILER.
foreach(var BUILD_DIR WORK_DIR CONSUMER_DIR GENERATOR CXX_COMPILER C_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_check.cmake needs -D${var}=...")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY ${WORK_DIR}/elsewhere)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/elsewhere)
# The installed program must find its scenarios by itself, not through the environment.
unset(ENV{CRADLE_SCENARIOS})

run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(path bin/cradle lib/libcradle.a include/cradle/sim/input/scenario.h include/cradle/output/h5.h
             include/cradle/models/uncertainty.h share/cradle/scenarios/xihu_current.toml
             lib/cmake/Cradle/CradleConfig.cmake lib/cmake/Cradle/CradleConfigVersion.cmake
             lib/cmake/Cradle/CradleTargets.cmake)
  if(NOT EXISTS ${prefix}/${path})
    message(FATAL_ERROR "not installed: ${prefix}/${path}")
  endif()
endforeach()

run_step("installed cradle run" ${prefix}/bin/cradle run -o ${WORK_DIR}/r.h5 --replications 2 --sample 1/50)
if(NOT EXISTS ${WORK_DIR}/r.h5)
  message(FATAL_ERROR "the installed cradle wrote no ${WORK_DIR}/r.h5")
endif()

run_step("consumer configure" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR}
         -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run_step("consumer build" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
# A program outside <prefix>/bin names the installed scenarios through the environment.
set(ENV{CRADLE_SCENARIOS} ${prefix}/share/cradle/scenarios)
run_step("consumer run" ${WORK_DIR}/consumer/cradle_consumer)
message(STATUS "consumer printed: ${step_output}")
if(NOT step_output MATCHES "births")
  message(FATAL_ERROR "the consumer printed no figure")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
