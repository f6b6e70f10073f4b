# Sourced by package-install-and-use and package-add-subdirectory: what examples/foreign-daemon's
# `ctest -L 'leak|unit' --output-on-failure` must show, however it got leakgate.
#   check_example_run NAME BUILD_DIR CTEST_LOG CTEST_STATUS
# The clean tests pass (the C and Python daemons' scenarios, the LeakTest, the accounting
# program); the leaking ones fail on daemon.fds; the LeakTest really ran through the engine
# (its result.json: verdict pass after 10 iterations), it was not skipped; the leaking LeakTest's
# page names the line of echo_daemon.c that opened the fds; the LeakTest whose daemon cannot
# start fails with one verdict, and its body does not run.
check_example_run() {
  local name="$1" build="$2" log="$3" status="$4"
  local problems=0
  problem() { echo "$name: $*" >&2; problems=$((problems + 1)); }
  [[ $status -ne 0 ]] || problem "the example's ctest passed, but its leaking tests must fail"
  local test
  for test in leak.example.clean leak.example.py-clean leak.gtest.EchoDaemonTest.Clean \
              example.counted-sessions; do
    grep -Eq "Test +#[0-9]+: ${test//./\\.} \.+ +Passed" "$log" || problem "$test did not pass"
  done
  for test in leak.example.fd-leak leak.example.py-fd-leak \
              leak.gtest.FdLeakingEchoDaemonTest.FdPerRequest; do
    grep -Eq "Test +#[0-9]+: ${test//./\\.} \.+\*\*\*Failed" "$log" || problem "$test did not fail"
    grep -Eq "^FAIL ${test//./\\.}  daemon\.fds growth \+10 > 0" "$log" ||
      problem "$test did not fail on daemon.fds (growth +10 > 0)"
  done
  test=leak.gtest.BrokenEchoDaemonTest.CannotStart
  grep -Eq "Test +#[0-9]+: ${test//./\\.} \.+\*\*\*Failed" "$log" || problem "$test did not fail"
  [[ $(grep -c "^FAIL ${test//./\\.} " "$log") -eq 1 ]] || problem "$test did not print one verdict"
  ! grep -q "the body ran" "$log" || problem "$test: the body ran although the daemon did not start"
  # 8 tests and the run session's open and close (the CTest fixture of leakgate_add_scenarios)
  grep -q '4 tests failed out of 10' "$log" || problem "expected exactly 4 failed tests of 10"
  grep -Eq 'open_request_log[^<]*echo_daemon\.c:[0-9]+' \
    "$build/leak-reports/leak.gtest.FdLeakingEchoDaemonTest.FdPerRequest/index.html" ||
    problem "the leaking LeakTest's page does not name open_request_log (echo_daemon.c:LINE)"
  grep -Eq 'daemon\.fds .*created at open_request_log \([^)]*echo_daemon\.c:[0-9]+\)' "$log" ||
    problem "example.fd-leak's verdict does not name open_request_log (echo_daemon.c)"
  local result="$build/leak-reports/leak.gtest.EchoDaemonTest.Clean/result.json"
  python3 - "$result" <<'PY' || problem "the LeakTest EchoDaemonTest.Clean did not run to a verdict"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["verdict"] == "pass" and d["iterations"]["completed"] == 10 else 1)
PY
  [[ $problems -eq 0 ]] || return 1
  echo "$name: 4 clean tests passed (C, Python, LeakTest, accounting); 3 leaking failed on" \
       "daemon.fds (the LeakTest's page naming echo_daemon.c's line); the LeakTest whose daemon" \
       "cannot start failed with one verdict, its body not run"
}
