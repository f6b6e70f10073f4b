# Run at install time (install(CODE) in LeakgateInstall.cmake), in one of two modes:
#
#   LEAKGATE_STRIP_MODE=strip   the installed programs and shared libraries lose their symbol
#                               tables and debug info, the installed static libraries their
#                               debug info (their symbols stay: a user's program links them).
#   LEAKGATE_STRIP_MODE=debug   the debug info of the build tree's programs and shared libraries
#                               is written by build-id, as gdb and debuginfod look for it:
#                               <prefix>/lib/debug/.build-id/<2 hex>/<38 hex>.debug
#                               (cmake --install BUILD --component debug; the leakgate-dbgsym .deb).
#
# Inputs: LEAKGATE_STRIP, LEAKGATE_OBJCOPY, LEAKGATE_READELF (the toolchain's binutils);
# LEAKGATE_STRIP_PROGRAMS (paths relative to the prefix in strip mode, build-tree paths in debug
# mode); LEAKGATE_STRIP_ARCHIVES (relative to the prefix, strip mode only).
# Without binutils the files are installed as built, with a warning: never a failed install.
set(leakgate_root "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}")
if(NOT LEAKGATE_STRIP OR NOT LEAKGATE_OBJCOPY OR NOT LEAKGATE_READELF)
  message(WARNING "leakgate: no strip/objcopy/readelf: files are installed with their debug info")
  return()
endif()

function(leakgate_run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "leakgate install: '${command}' failed (${status}): ${error}")
  endif()
endfunction()

# The hex build-id of an ELF file (readelf -n), empty when it has none.
function(leakgate_build_id file out)
  execute_process(COMMAND ${LEAKGATE_READELF} -n "${file}" OUTPUT_VARIABLE notes
                  RESULT_VARIABLE status ERROR_QUIET)
  string(REGEX MATCH "Build ID: ([0-9a-f]+)" match "${notes}")
  set(${out} "${CMAKE_MATCH_1}" PARENT_SCOPE)
endfunction()

if(LEAKGATE_STRIP_MODE STREQUAL "strip")
  foreach(relative IN LISTS LEAKGATE_STRIP_PROGRAMS)
    leakgate_run(${LEAKGATE_STRIP} --strip-unneeded "${leakgate_root}/${relative}")
  endforeach()
  foreach(relative IN LISTS LEAKGATE_STRIP_ARCHIVES)
    leakgate_run(${LEAKGATE_STRIP} --strip-debug "${leakgate_root}/${relative}")
  endforeach()
elseif(LEAKGATE_STRIP_MODE STREQUAL "debug")
  foreach(built IN LISTS LEAKGATE_STRIP_PROGRAMS)
    leakgate_build_id("${built}" id)
    if(NOT id MATCHES "^[0-9a-f][0-9a-f][0-9a-f]+$")
      message(WARNING "leakgate: ${built} has no build-id: its debug info is not installed")
      continue()
    endif()
    string(SUBSTRING "${id}" 0 2 head)
    string(SUBSTRING "${id}" 2 -1 tail)
    set(debug_file "${leakgate_root}/lib/debug/.build-id/${head}/${tail}.debug")
    file(MAKE_DIRECTORY "${leakgate_root}/lib/debug/.build-id/${head}")
    message(STATUS "Installing: ${debug_file}")
    leakgate_run(${LEAKGATE_OBJCOPY} --only-keep-debug --compress-debug-sections=zlib
                 "${built}" "${debug_file}")
  endforeach()
else()
  message(FATAL_ERROR "leakgate install: LEAKGATE_STRIP_MODE is '${LEAKGATE_STRIP_MODE}', not strip or debug")
endif()
