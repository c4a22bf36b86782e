# How the core (src/) is compiled, in one place: its freestanding flags and
# warnings, its configuration (NTX_CORE_DEFINITIONS) and the variants built
# from it (the library, the stack test's call graph, the firmware profiles,
# the fuzz replays' profiles). Included once by the top-level CMakeLists.txt.
include_guard(GLOBAL)

# The source list is kept by the core in src/sources.cmake (relative to src/).
include(${PROJECT_SOURCE_DIR}/src/sources.cmake)
set(NTX_CORE_SOURCE_FILES ${NTX_CORE_SOURCES})
list(TRANSFORM NTX_CORE_SOURCE_FILES PREPEND ${PROJECT_SOURCE_DIR}/src/)

# ---- Sanitizers -----------------------------------------------------------
# Either form turns them on: the NTX_SANITIZE shorthand, or -fsanitize= in
# CMAKE_C_FLAGS (or CMAKE_C_FLAGS_<CONFIG>), the form OSS-Fuzz and most CI
# use. NTX_FUZZ instruments the core too (-fsanitize=fuzzer-no-link).
# NTX_SANITIZED then says that what cannot work with an instrumented core
# (the frame limit, the call graph, the firmware example, the cross check)
# is left out, and NTX_SANITIZER_FLAGS holds the -fsanitize= options a
# program linking the core needs.
string(TOUPPER "${CMAKE_BUILD_TYPE}" _ntx_config)
set(_ntx_c_flags "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_ntx_config}}")
string(REGEX MATCHALL "(^| )-fsanitize=[^ ]+" NTX_SANITIZER_FLAGS "${_ntx_c_flags}")
list(TRANSFORM NTX_SANITIZER_FLAGS STRIP)
if(NTX_SANITIZE)
  list(APPEND NTX_SANITIZER_FLAGS -fsanitize=${NTX_SANITIZE})
endif()
if(NTX_SANITIZER_FLAGS OR NTX_FUZZ)
  set(NTX_SANITIZED TRUE)
else()
  set(NTX_SANITIZED FALSE)
endif()
unset(_ntx_config)
unset(_ntx_c_flags)

# ---- Configuration ----------------------------------------------------------
# NTX_CORE_DEFINITIONS: the library's values of include/ntx/config.h, which
# size the public structs (ntx_volume, ntx_stream, the workspace), so every
# program compiled against the library must see the same ones: they are the
# INTERFACE compile definitions of ntx::ntx (in the build tree and in the
# installed CMake package) and part of ntx.pc's Cflags.
set(NTX_CORE_DEFINITIONS "" CACHE STRING
  "config.h values the library is built with and exports, a list: NTX_PROFILE=NTX_PROFILE_BOOT;NTX_MAX_INDEX_DEPTH=16")
foreach(_def IN LISTS NTX_CORE_DEFINITIONS)
  # NAME or NAME=VALUE, with no space or quote: the value also goes into
  # ntx.pc, whose Cflags a shell splits at spaces.
  if(NOT _def MATCHES "^NTX_[A-Za-z0-9_]+(=[^ \t'\"\\]+)?$")
    message(FATAL_ERROR "NTX_CORE_DEFINITIONS: '${_def}' is not NTX_NAME or NTX_NAME=VALUE "
      "without spaces or quotes (a config.h setting, e.g. NTX_PROFILE=NTX_PROFILE_BOOT)")
  endif()
endforeach()
unset(_def)

# ---- Flags --------------------------------------------------------------------
# -nostdinc with only the compiler's own include directory: a stray include
# of a libc header (string.h, stdio.h) cannot build (GRUB does the same).
execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=include
  OUTPUT_VARIABLE NTX_CC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
# Freestanding: no libc, no builtins turned into libc calls, no stack
# protector (it needs a runtime), one section per function and object so
# --gc-sections drops what a program does not call.
set(NTX_FREESTANDING_OPTIONS
  -ffreestanding -fno-builtin -fno-stack-protector -fno-common -nostdinc -isystem ${NTX_CC_INCLUDE}
  -ffunction-sections -fdata-sections)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  # Keep byte loops (base/mem.c) from being turned back into memcpy/memset calls.
  list(APPEND NTX_FREESTANDING_OPTIONS -fno-tree-loop-distribute-patterns)
endif()
set(NTX_CORE_WARNINGS
  -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wconversion -Wsign-conversion -Wmissing-prototypes
  -Wstrict-prototypes -Wcast-qual)
# Every function's frame stays within 512 bytes (a bounded stack for
# firmware). The limit is about optimized code: -O0 keeps every temporary
# in its own slot, and sanitizers pad frames with red zones.
set(NTX_FRAME_LIMIT_OPTIONS -Wframe-larger-than=512)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  list(APPEND NTX_FRAME_LIMIT_OPTIONS -Werror=frame-larger-than=512)
endif()

# ntx_freestanding(<target> [OPTIONS opt...])
#   Compiles <target>'s own sources the way the core is compiled:
#   freestanding, the core's warnings (errors with NTX_WERROR), the frame
#   limit where it holds, then OPTIONS. For the core (ntx_add_core) and for
#   code linked with it where no libc exists (the firmware loader).
function(ntx_freestanding target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "OPTIONS")
  target_compile_options(${target} PRIVATE ${NTX_FREESTANDING_OPTIONS} ${NTX_CORE_WARNINGS})
  if(NTX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NOT NTX_SANITIZED)
    if(arg_OPTIONS MATCHES "(^|;)-O[1-3sz]?(;|$)")
      target_compile_options(${target} PRIVATE ${NTX_FRAME_LIMIT_OPTIONS})
    else()
      target_compile_options(${target} PRIVATE
        "$<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:${NTX_FRAME_LIMIT_OPTIONS}>")
    endif()
  endif()
  target_compile_options(${target} PRIVATE ${arg_OPTIONS})
endfunction()

# ntx_add_core(<target> [PROFILE full|boot|minimal] [DEFINITIONS def...] [OPTIONS opt...])
#   An OBJECT library of the core's sources (src/sources.cmake), compiled by
#   ntx_freestanding() with the private include directories include/ and
#   src/ (the core's files include each other as "parse/attr.h").
#   PROFILE  compiles that profile of include/ntx/config.h; without it the
#            variant is the configured library: NTX_CORE_DEFINITIONS.
#   DEFINITIONS  more private compile definitions (NAME or NAME=VALUE).
#   OPTIONS  more compile options, after the core's (-Os, -fno-pie, ...);
#            an -O option there makes the frame limit hold in every build type.
#   With NTX_FUZZ the core carries libFuzzer's coverage instrumentation.
function(ntx_add_core target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PROFILE" "DEFINITIONS;OPTIONS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ntx_add_core(${target}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${target} OBJECT ${NTX_CORE_SOURCE_FILES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  if(arg_PROFILE)
    string(TOUPPER "${arg_PROFILE}" profile)
    if(NOT profile MATCHES "^(FULL|BOOT|MINIMAL)$")
      message(FATAL_ERROR "ntx_add_core(${target}): PROFILE is full, boot or minimal, not ${arg_PROFILE}")
    endif()
    target_compile_definitions(${target} PRIVATE NTX_PROFILE=NTX_PROFILE_${profile})
  else()
    target_compile_definitions(${target} PRIVATE ${NTX_CORE_DEFINITIONS})
  endif()
  target_compile_definitions(${target} PRIVATE ${arg_DEFINITIONS})
  set(options ${arg_OPTIONS})
  if(NTX_FUZZ AND NOT "${CMAKE_C_FLAGS};${options}" MATCHES "fuzzer-no-link")
    list(APPEND options -fsanitize=fuzzer-no-link)
  endif()
  ntx_freestanding(${target} OPTIONS ${options})
endfunction()
