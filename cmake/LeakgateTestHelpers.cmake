# Helpers for leakgate's own CTest tests (not installed: a user's project has leakgate_add_scenarios).

# leakgate_add_exit_test(NAME <name> EXIT <code> [OUTPUT <regex>]
#                        [THEN <sh command> THEN_OUTPUT <regex>]
#                        [LABELS <label>...] [TIMEOUT <seconds>] [ENVIRONMENT <var=value>...]
#                        COMMAND <program or target> [<arg>...])
#
# A command line's exit code and what it prints, in one test: CTest alone checks either the
# exit code or the output, never both. The command runs under sh with stderr merged into stdout
# (one stream, so lines keep their order), then `exit=<code>` is printed; the test passes when
# the output is OUTPUT, then anything, then that line (and THEN's output after it, else the
# end). THEN runs after the command (e.g. to look for processes it left behind).
function(leakgate_add_exit_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg ""
                        "NAME;EXIT;OUTPUT;THEN;THEN_OUTPUT;TIMEOUT"
                        "LABELS;ENVIRONMENT;COMMAND")
  if(NOT arg_NAME OR arg_EXIT STREQUAL "" OR NOT arg_COMMAND)
    message(FATAL_ERROR "leakgate_add_exit_test: NAME, EXIT and COMMAND are required")
  endif()
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    set(program $<TARGET_FILE:${program}>)
  endif()
  set(script "\"$0\" \"$@\" 2>&1; echo exit=$?")
  set(after "$")
  if(DEFINED arg_THEN)
    string(APPEND script "; ${arg_THEN}")
    set(after "${arg_THEN_OUTPUT}")
  endif()
  if(DEFINED arg_OUTPUT)
    set(pass "${arg_OUTPUT}(.*\n)?exit=${arg_EXIT}\n${after}")
  else()
    set(pass "(^|\n)exit=${arg_EXIT}\n${after}")
  endif()
  # A property value is a list: an unescaped ";" in the text would split it into regexes of
  # which any one passes the test (cli.typo-option passed on its first half alone).
  string(REPLACE ";" "\\;" pass "${pass}")
  add_test(NAME ${arg_NAME} COMMAND sh -c "${script}" ${program} ${arg_COMMAND})
  set_tests_properties(${arg_NAME} PROPERTIES PASS_REGULAR_EXPRESSION "${pass}")
  if(arg_LABELS)
    set_tests_properties(${arg_NAME} PROPERTIES LABELS "${arg_LABELS}")
  endif()
  if(arg_TIMEOUT)
    set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${arg_TIMEOUT})
  endif()
  if(arg_ENVIRONMENT)
    set_tests_properties(${arg_NAME} PROPERTIES ENVIRONMENT "${arg_ENVIRONMENT}")
  endif()
endfunction()
