# leakgate_add_scenarios(DIRECTORY dir
#                        [LABELS label...]       default: leak
#                        [TIMEOUT seconds]       until built: 60 (see below)
#                        [VARS NAME=VALUE...]    passed as --var (generator expressions allowed)
#                        [REPORT_DIR dir]        default: ${CMAKE_BINARY_DIR}/leak-reports
#                        [PROVE_WITHOUT_INJECTION])
# PROVE_WITHOUT_INJECTION also adds selftest.<name>.without-injection (label selftest): the
# scenario run with its injections dropped must fail with "expected violation not observed",
# so a regression test cannot pass by accident.
# One CTest test per *.yaml in DIRECTORY, named leak.<name> after the scenario's `name:`.
# Its TIMEOUT follows from the scenario (`leakgate time-limit`: readiness, every step's limit
# for every iteration, settling and stopping, with a margin), so a slow machine makes a test
# slow, never a timeout: written at build time into a file that ctest reads after the tests
# are defined (a child directory's TEST_INCLUDE_FILES). TIMEOUT holds until then.
# Each test is one `leakgate run` process with its own daemon, so `ctest -j` is safe.
# The tests of one report directory are one run per ctest invocation: they require the CTest
# fixture of leakgate_run_session() (below), whose setup opens the run and whose cleanup
# closes it and renders the index; `leakgate compare` then compares whole invocations.
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
  set(time_limit_args ${var_args})
  if(ARG_PROVE_WITHOUT_INJECTION)
    list(APPEND time_limit_args --selftests)
  endif()
  leakgate_scenario_time_limits("${scenario_files}" "${time_limit_args}")
  leakgate_run_session("${ARG_REPORT_DIR}" session_fixture)
  foreach(file IN LISTS scenario_files)
    file(STRINGS ${file} name_line REGEX "^name:[ \t]*[A-Za-z0-9._-]+" LIMIT_COUNT 1)
    if(NOT name_line)
      message(FATAL_ERROR "${file}: no top-level 'name:' line")
    endif()
    string(REGEX REPLACE "^name:[ \t]*([A-Za-z0-9._-]+).*" "\\1" name "${name_line}")
    add_test(NAME leak.${name}
             COMMAND ${cli} run ${file} --report-dir ${ARG_REPORT_DIR} --ctest ${var_args})
    set_tests_properties(leak.${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
                                                 FIXTURES_REQUIRED ${session_fixture})
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

# The build-time half of leakgate_add_scenarios(): `leakgate time-limit` writes each scenario
# test's TIMEOUT into a file that a child directory of this one includes at ctest time (ctest
# reads a directory's includes before its tests, and a child's after them).
function(leakgate_scenario_time_limits scenario_files var_args)
  if(TARGET leakgate::leakgate)
    set(cli $<TARGET_FILE:leakgate::leakgate>)
    set(cli_target leakgate::leakgate)
  else()
    set(cli $<TARGET_FILE:leakgate>)
    set(cli_target leakgate)
  endif()
  string(MD5 key "${CMAKE_CURRENT_BINARY_DIR};${scenario_files}")
  string(SUBSTRING "${key}" 0 10 key)
  set(limits ${CMAKE_CURRENT_BINARY_DIR}/leakgate-time-limits-${key}.cmake)
  add_custom_command(OUTPUT ${limits}
    COMMAND ${cli} time-limit ${scenario_files} ${var_args} --cmake ${limits}
    DEPENDS ${scenario_files} ${cli_target}
    COMMENT "leakgate time-limit: CTest timeouts of ${CMAKE_CURRENT_SOURCE_DIR}"
    VERBATIM)
  add_custom_target(leakgate_time_limits_${key} ALL DEPENDS ${limits})
  set(child ${CMAKE_CURRENT_BINARY_DIR}/leakgate-time-limits-${key})
  file(WRITE ${child}-load.cmake
       "if(EXISTS [=[${limits}]=])\n  include([=[${limits}]=])\nendif()\n")
  file(WRITE ${child}-src/CMakeLists.txt
       "set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES [=[${child}-load.cmake]=])\n")
  add_subdirectory(${child}-src ${child})
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
  leakgate_run_session("${ARG_REPORT_DIR}" session_fixture)
  gtest_discover_tests(${target} NO_PRETTY_VALUES TEST_PREFIX "${ARG_TEST_PREFIX}"
                       PROPERTIES LABELS "${ARG_LABELS}"
                                  ENVIRONMENT "LEAKGATE_REPORT_DIR=${ARG_REPORT_DIR}"
                                  FIXTURES_REQUIRED ${session_fixture})
endfunction()

# leakgate_run_session(report_dir out_fixture): the CTest fixture of one report directory,
# made once per directory and project: leak.session-open (`leakgate session open`: a new run id
# and the commit of the project, ${CMAKE_SOURCE_DIR}) and leak.session-close (`leakgate session
# close`: the run ends, the index is rendered). CTest runs them around whichever of their tests
# a ctest invocation selects, `ctest -R one-test` too. A second report directory gets its own
# pair, named after it.
function(leakgate_run_session report_dir out_fixture)
  if(TARGET leakgate::leakgate)
    set(cli $<TARGET_FILE:leakgate::leakgate>)
  else()
    set(cli $<TARGET_FILE:leakgate>)
  endif()
  string(MD5 key "${report_dir}")
  string(SUBSTRING "${key}" 0 8 key)
  set(fixture leakgate_run_${key})
  set(${out_fixture} ${fixture} PARENT_SCOPE)
  get_property(made GLOBAL PROPERTY LEAKGATE_RUN_SESSION_${key})
  if(made)
    return()
  endif()
  set_property(GLOBAL PROPERTY LEAKGATE_RUN_SESSION_${key} TRUE)
  get_property(count GLOBAL PROPERTY LEAKGATE_RUN_SESSIONS)
  if(NOT count)
    set(count 0)
  endif()
  set(suffix "")
  if(count GREATER 0)
    set(suffix "-${key}")
  endif()
  math(EXPR count "${count} + 1")
  set_property(GLOBAL PROPERTY LEAKGATE_RUN_SESSIONS ${count})
  add_test(NAME leak.session-open${suffix}
           COMMAND ${cli} session open --report-dir ${report_dir} --project-dir ${CMAKE_SOURCE_DIR})
  add_test(NAME leak.session-close${suffix}
           COMMAND ${cli} session close --report-dir ${report_dir})
  set_tests_properties(leak.session-open${suffix} PROPERTIES FIXTURES_SETUP ${fixture}
                                                             LABELS leak TIMEOUT 60)
  set_tests_properties(leak.session-close${suffix} PROPERTIES FIXTURES_CLEANUP ${fixture}
                                                              LABELS leak TIMEOUT 300)
endfunction()
