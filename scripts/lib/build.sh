# Sourced by scripts/setup, test: a quiet cmake build with a progress line every 10%.
# build_with_progress LABEL LOG CMAKE_BUILD_ARGS...: the full output goes to LOG; on failure
# the errors are shown and the status is non-zero.
build_with_progress() {
  local label="$1" log="$2"
  shift 2
  cmake --build "$@" 2>&1 | tee "$log" | show_build_progress "$label" >&2
  local status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    grep -E -A5 "error|Error" "$log" | head -60 >&2
    echo "$label: build failed; full log in $log" >&2
  fi
  return "$status"
}

# Reads build output; prints "LABEL: N%" each time N passes the next multiple of 10. Make
# prints "[ 45%] ...", Ninja "[12/198] ...". (A shell loop, not awk: mawk reads a pipe in
# blocks and would print late.)
show_build_progress() {
  local label="$1" line p next=0 done total
  while IFS= read -r line; do
    if [[ "$line" =~ ^\[\ *([0-9]+)%\] ]]; then
      p=${BASH_REMATCH[1]}
    elif [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then
      done=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
      p=$((100 * done / total))
    else
      continue
    fi
    if [ "$p" -ge "$next" ]; then
      echo "$label: $p%"
      next=$((p - p % 10 + 10))
    fi
  done
}
