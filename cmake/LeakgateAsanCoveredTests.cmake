# The test programs that scripts/test's ASan pass builds and runs in build-asan, every test of
# theirs included, none skipped there (ci/known-skips-asan). With
# -DLEAKGATE_SKIP_ASAN_COVERED_TESTS=ON (scripts/test sets it for build/ in its full run) this
# tree builds none of them and lists none of their tests: each is compiled and run once, under
# ASan + UBSan, where it proves more, instead of twice (about 270 s of the 740 s of CPU that
# build/ takes; issue 27: CI in 15 minutes). Off by default: a plain build has every test.
# Not here: sample_test and tracker_unit_tests (a test of each is skipped under ASan: no tcmalloc,
# the allocator's quarantine), tracker_reliability_tests (CrashConsistency is not in the ASan
# pass), and the programs whose tests the pass leaves out (preload, browser, leak tests; the
# add_test()s of leak_test_spec_test that judge whole leak tests).
# scripts/test checks after the ASan pass that every test of these programs ran there.
option(LEAKGATE_SKIP_ASAN_COVERED_TESTS
       "Do not build the test programs that scripts/test's ASan pass runs (CI's build/)" OFF)
set(LEAKGATE_ASAN_COVERED_TESTS
  bad_scenarios_test budget_eval_test client_operations_test command_line_typos_test
  counted_objects_test counter_file_test creation_stack_test elf_debug_info_test
  heap_stats_test judge_test known_leaks_parser_test leakgate_reports_tests
  metrics_test proc_parse_test process_probe_test profile_test prometheus_test python_agent_test
  readiness_test record_test registry_test run_test runner_faults_test scenario_parser_test
  spawn_test tracker_historical_tests tracker_integration_tests units_test variables_test
  verdict_test)

function(leakgate_skip_asan_covered_tests)
  set(names "")
  foreach(target IN LISTS LEAKGATE_ASAN_COVERED_TESTS)
    if(NOT TARGET ${target})
      continue()  # a tree without tracker/, say
    endif()
    list(APPEND names ${target})
    if(NOT LEAKGATE_SKIP_ASAN_COVERED_TESTS)
      continue()
    endif()
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
    # gtest_discover_tests() registered "<target>[N]_include.cmake" with its directory: without
    # it, CTest lists no test of the program (not even a <target>_NOT_BUILT that would fail).
    get_target_property(directory ${target} SOURCE_DIR)
    get_property(includes DIRECTORY ${directory} PROPERTY TEST_INCLUDE_FILES)
    list(FILTER includes EXCLUDE REGEX "/${target}\\[[0-9]+\\]_include\\.cmake$")
    set_property(DIRECTORY ${directory} PROPERTY TEST_INCLUDE_FILES ${includes})
  endforeach()
  # For scripts/test: the programs its ASan pass must build and check.
  list(JOIN names "\n" text)
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/asan-covered-tests.txt CONTENT "${text}\n")
endfunction()
