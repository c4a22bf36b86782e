# `cmake --install` into a scratch prefix, then programs built against it
# with nothing but what the install provides:
#   METHODS pkgconfig: examples/ntx_demo.c and tests/package/consumer.c with
#                      pkg-config's flags; the consumer runs.
#   METHODS cmake:     tests/package/ configured with find_package(ntx CONFIG)
#                      and ntx::ntx, built and run; a too new version
#                      (find_package(ntx 99)) must be refused.
# The consumer includes ntx_expect.h, written here from DEFINITIONS, so a
# config.h value the library was built with but that did not reach the
# program fails its build; at run time it checks that the library's and the
# program's workspace sizes agree.
#
# Parameters (-D): SRC (source tree), WORK (scratch directory), METHODS
# (pkgconfig|cmake), CC, PKG_CONFIG, C_FLAGS and SANITIZE (the outer
# build's CMAKE_C_FLAGS and NTX_SANITIZE), BUILD_TYPE, GENERATOR; and either
#   BUILD        an ntx build tree, installed as it is, or
#   DEFINITIONS  NTX_CORE_DEFINITIONS, items separated by |: a library-only
#                ntx is configured from SRC with them, built and installed.
#                With EXPECT_MISMATCH=ON the consumer is also built with the
#                package's definitions removed, and must then report that it
#                disagrees with the library (the check has teeth).
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" DEFINITIONS "${DEFINITIONS}")
string(REPLACE "|" ";" METHODS "${METHODS}")
separate_arguments(cflags UNIX_COMMAND "${C_FLAGS}")
if(SANITIZE)
  list(APPEND cflags -fsanitize=${SANITIZE})
endif()
list(JOIN cflags " " cflags_string)
set(prefix ${WORK}/prefix)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# The library to install.
if(DEFINITIONS)
  set(BUILD ${WORK}/ntx-build)
  # (execute_process directly: run()'s ARGN would split the list.)
  execute_process(COMMAND
    ${CMAKE_COMMAND} -S ${SRC} -B ${BUILD} -G ${GENERATOR} -DCMAKE_C_COMPILER=${CC}
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE} "-DCMAKE_C_FLAGS=${C_FLAGS}" "-DNTX_SANITIZE=${SANITIZE}"
    "-DNTX_CORE_DEFINITIONS=${DEFINITIONS}" -DNTX_WERROR=ON -DNTX_BUILD_TESTS=OFF
    -DNTX_BUILD_CLI=OFF -DNTX_BUILD_FUSE=OFF -DNTX_BUILD_EXAMPLES=OFF -DNTX_BUILD_BENCH=OFF
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "configuring ntx with NTX_CORE_DEFINITIONS=${DEFINITIONS} failed:\n${out}")
  endif()
  run("building ntx" ${CMAKE_COMMAND} --build ${BUILD} --parallel 2)
endif()
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix})

# ntx_expect.h: each NAME=VALUE (or NAME, which -D defines as 1) must hold
# in the program. Values that are not plain tokens cannot be compared by
# the preprocessor (a cast): only their presence is checked.
set(expect "/* written by tests/check_install.cmake */\n")
foreach(def IN LISTS DEFINITIONS)
  if(def MATCHES "^([A-Za-z0-9_]+)=([A-Za-z0-9_]+)$")
    string(APPEND expect "#if (${CMAKE_MATCH_1}) != (${CMAKE_MATCH_2})\n"
      "#error \"${CMAKE_MATCH_1} is not ${CMAKE_MATCH_2}: the library's definitions did not arrive\"\n#endif\n")
  elseif(def MATCHES "^([A-Za-z0-9_]+)$")
    string(APPEND expect "#if (${CMAKE_MATCH_1}) != 1\n"
      "#error \"${CMAKE_MATCH_1} is not defined: the library's definitions did not arrive\"\n#endif\n")
  else()
    string(REGEX REPLACE "=.*" "" name "${def}")
    string(APPEND expect "#ifndef ${name}\n#error \"${name} did not arrive\"\n#endif\n")
  endif()
endforeach()
file(WRITE ${WORK}/expect/ntx_expect.h "${expect}")

function(check_consumer_output how)
  if(NOT out MATCHES "ok: success")
    message(FATAL_ERROR "the consumer built with ${how} did not run clean:\n${out}")
  endif()
  message(STATUS "consumer (${how}): ${out}")
endfunction()

if("pkgconfig" IN_LIST METHODS)
  file(GLOB_RECURSE pc ${prefix}/*/ntx.pc)
  if(NOT pc)
    message(FATAL_ERROR "no ntx.pc installed")
  endif()
  get_filename_component(pcdir ${pc} DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pcdir})
  run("pkg-config ntx" ${PKG_CONFIG} --cflags --libs ntx)
  string(STRIP "${out}" flags)
  message(STATUS "installed ntx builds with: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run("building ntx_demo.c against the installed ntx (${flags})"
    ${CC} ${cflags} -o ${WORK}/ntx-demo ${SRC}/examples/ntx_demo.c ${flags})
  run("building consumer.c against the installed ntx (${flags})"
    ${CC} ${cflags} -I${WORK}/expect -o ${WORK}/consumer-pc ${SRC}/tests/package/consumer.c ${flags})
  run("the consumer built with pkg-config" ${WORK}/consumer-pc)
  check_consumer_output("pkg-config")
endif()

if("cmake" IN_LIST METHODS)
  foreach(f ntxConfig.cmake ntxConfigVersion.cmake ntxTargets.cmake)
    file(GLOB_RECURSE found ${prefix}/*/cmake/ntx/${f})
    if(NOT found)
      message(FATAL_ERROR "${f} not installed under ${prefix}")
    endif()
  endforeach()
  set(consumer_args -G ${GENERATOR} -DCMAKE_C_COMPILER=${CC} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    "-DCMAKE_C_FLAGS=${cflags_string}" -DCMAKE_PREFIX_PATH=${prefix} -DNTX_EXPECT_DIR=${WORK}/expect)
  run("configuring the find_package consumer"
    ${CMAKE_COMMAND} -S ${SRC}/tests/package -B ${WORK}/consumer ${consumer_args})
  message(STATUS "find_package: ${out}")
  run("building the find_package consumer" ${CMAKE_COMMAND} --build ${WORK}/consumer)
  run("the consumer built with find_package" ${WORK}/consumer/consumer)
  check_consumer_output("find_package")

  # The version file refuses what the install is not.
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/tests/package -B ${WORK}/consumer-v99
    ${consumer_args} -DNTX_WANT_VERSION=99 RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "not accepted")
    message(FATAL_ERROR "find_package(ntx 99) did not refuse ntx ${rc}:\n${err}")
  endif()

  if(EXPECT_MISMATCH)
    # Without the package's definitions the program is compiled with the
    # default configuration, which must disagree with this library.
    run("configuring the consumer without definitions"
      ${CMAKE_COMMAND} -S ${SRC}/tests/package -B ${WORK}/consumer-nodefs ${consumer_args}
      -DNTX_DROP_DEFINITIONS=ON)
    run("building the consumer without definitions" ${CMAKE_COMMAND} --build ${WORK}/consumer-nodefs)
    execute_process(COMMAND ${WORK}/consumer-nodefs/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
    if(rc EQUAL 0 OR NOT out MATCHES "MISMATCH")
      message(FATAL_ERROR "without the package's definitions the consumer should disagree "
        "with the library, but it ran (${rc}):\n${out}")
    endif()
    message(STATUS "consumer without the definitions, as expected: ${out}")
  endif()
endif()
