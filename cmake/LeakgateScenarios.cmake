# leakgate_add_scenarios(DIRECTORY dir
#                        [LABELS label...]       default: leak
#                        [TIMEOUT seconds]       default: 60
#                        [VARS NAME=VALUE...]    passed as --var (generator expressions allowed)
#                        [REPORT_DIR dir]        default: ${CMAKE_BINARY_DIR}/leak-reports
#                        [PROVE_WITHOUT_INJECTION])
# PROVE_WITHOUT_INJECTION also adds selftest.<name>.without-injection (label selftest): the
# scenario run with its injections dropped must fail with "expected violation not observed",
# so a regression test cannot pass by accident.
# One CTest test per *.yaml in DIRECTORY, named leak.<name> after the scenario's `name:`.
# Each test is one `leakgate run` process with its own daemon, so `ctest -j` is safe.
# The CLI: leakgate::leakgate when it exists (the imported executable of an installed
# package, find_package(leakgate); an alias after add_subdirectory), else the `leakgate`
# target of this build (resolved when the build system is generated).
function(leakgate_add_scenarios)
  if(TARGET leakgate::leakgate)
    set(cli $<TARGET_FILE:leakgate::leakgate>)
  else()
    set(cli leakgate)
  endif()
  cmake_parse_arguments(ARG "PROVE_WITHOUT_INJECTION" "DIRECTORY;TIMEOUT;REPORT_DIR" "LABELS;VARS"
                        ${ARGN})
  if(NOT ARG_DIRECTORY)
    message(FATAL_ERROR "leakgate_add_scenarios: DIRECTORY is required")
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS leak)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 60)
  endif()
  if(NOT ARG_REPORT_DIR)
    set(ARG_REPORT_DIR ${CMAKE_BINARY_DIR}/leak-reports)
  endif()
  set(var_args "")
  foreach(var IN LISTS ARG_VARS)
    list(APPEND var_args --var ${var})
  endforeach()
  file(GLOB scenario_files CONFIGURE_DEPENDS ${ARG_DIRECTORY}/*.yaml)
  list(SORT scenario_files)
  foreach(file IN LISTS scenario_files)
    file(STRINGS ${file} name_line REGEX "^name:[ \t]*[A-Za-z0-9._-]+" LIMIT_COUNT 1)
    if(NOT name_line)
      message(FATAL_ERROR "${file}: no top-level 'name:' line")
    endif()
    string(REGEX REPLACE "^name:[ \t]*([A-Za-z0-9._-]+).*" "\\1" name "${name_line}")
    add_test(NAME leak.${name}
             COMMAND ${cli} run ${file} --report-dir ${ARG_REPORT_DIR} --ctest ${var_args})
    set_tests_properties(leak.${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
    if(ARG_PROVE_WITHOUT_INJECTION)
      add_test(NAME selftest.${name}.without-injection
               COMMAND ${cli} run ${file} --no-inject --report-dir
                       ${CMAKE_BINARY_DIR}/selftest-reports ${var_args})
      set_tests_properties(selftest.${name}.without-injection PROPERTIES
        LABELS selftest TIMEOUT ${ARG_TIMEOUT}
        PASS_REGULAR_EXPRESSION "expected violation not observed")
    endif()
  endforeach()
endfunction()

# GoogleTest leak tests (leakgate::LeakTest) as CTest tests that write their pages into the
# same report directory as the scenarios:
#   leakgate_discover_leak_tests(<target> [TEST_PREFIX p] [REPORT_DIR dir] [LABELS l...])
#     TEST_PREFIX default: leak.gtest.   REPORT_DIR default: ${CMAKE_BINARY_DIR}/leak-reports
#     LABELS default: leak
function(leakgate_discover_leak_tests target)
  cmake_parse_arguments(ARG "" "TEST_PREFIX;REPORT_DIR" "LABELS" ${ARGN})
  if(NOT ARG_TEST_PREFIX)
    set(ARG_TEST_PREFIX "leak.gtest.")
  endif()
  if(NOT ARG_REPORT_DIR)
    set(ARG_REPORT_DIR ${CMAKE_BINARY_DIR}/leak-reports)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS leak)
  endif()
  # Here, not at the top: GoogleTest.cmake keeps its script's path in a variable of the scope
  # that includes it, which is not the caller's after add_subdirectory(leakgate).
  include(GoogleTest)
  gtest_discover_tests(${target} NO_PRETTY_VALUES TEST_PREFIX "${ARG_TEST_PREFIX}"
                       PROPERTIES LABELS "${ARG_LABELS}"
                                  ENVIRONMENT "LEAKGATE_REPORT_DIR=${ARG_REPORT_DIR}")
endfunction()
