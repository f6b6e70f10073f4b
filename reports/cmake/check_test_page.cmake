# A scenario's test page must say what the scenario is about (ctest page.<name>):
#   cmake -DLEAKGATE=... -DSCENARIO=x.yaml -DTEST=leak.<name> -DREPORT_DIR=dir
#         "-DVARS=NAME=VALUE;..." "-DPAGE_MUST_SHOW=regex;..." -P check_test_page.cmake
# Runs `leakgate run` (its verdict must be a pass: expect_violations holds what must fail),
# then fails naming each regex that REPORT_DIR/run-XXXXXX/TEST/index.html does not match. The
# page is HTML: < > & " are escaped there (&lt; &gt; &amp; &quot;).
foreach(required LEAKGATE SCENARIO TEST REPORT_DIR PAGE_MUST_SHOW)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "check_test_page.cmake: -D${required}= is required")
  endif()
endforeach()
set(var_args "")
foreach(var IN LISTS VARS)
  list(APPEND var_args --var ${var})
endforeach()
# Each run its own report directory under REPORT_DIR (removed when the page passes): two
# suites may run this test at once (scripts/isolation-check), and one's fresh start removed
# the other's page before it was read.
file(MAKE_DIRECTORY ${REPORT_DIR})
execute_process(COMMAND mktemp -d ${REPORT_DIR}/run-XXXXXX OUTPUT_VARIABLE REPORT_DIR
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${LEAKGATE} run ${SCENARIO} --report-dir ${REPORT_DIR} ${var_args}
                RESULT_VARIABLE exit_code)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "leakgate run ${SCENARIO} exited ${exit_code} (0 expected)")
endif()
set(page ${REPORT_DIR}/${TEST}/index.html)
if(NOT EXISTS ${page})
  message(FATAL_ERROR "no test page: ${page}")
endif()
file(READ ${page} html)
set(missing "")
foreach(pattern IN LISTS PAGE_MUST_SHOW)
  if(NOT html MATCHES "${pattern}")
    string(APPEND missing "\n  ${pattern}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "${page} does not show:${missing}")
endif()
message(STATUS "${page} shows each of: ${PAGE_MUST_SHOW}")
file(REMOVE_RECURSE ${REPORT_DIR})
