# Quiet steps for the README's commands (sourced by run_mnist.sh, test.sh, sanitize.sh, fuzz.sh): one line
# per step, the full output in a log file whose path is printed when the step fails.
# XGRAD_VERBOSE=1 shows everything instead.
#   quiet_init LOG_DIR
#   quiet_step  LABEL LOG COMMAND...   run COMMAND, output to LOG_DIR/LOG.log
#   quiet_build LABEL LOG COMMAND...   the same, with cmake's [ NN%] progress on the line

quiet_init() {
  quiet_log_dir=$1
  mkdir -p "$quiet_log_dir"
}

# Prints the end of a failed step's log and where the whole of it is; exits with its status.
quiet_fail() {
  local status=$1 log=$2
  echo " FAILED"
  tail -n 25 "$log" | sed 's/^/  | /' >&2
  echo "full log: $log" >&2
  exit "$status"
}

quiet_step() {
  local label=$1 log=$quiet_log_dir/$2.log start=$SECONDS
  shift 2
  if [ -n "${XGRAD_VERBOSE:-}" ]; then "$@"; return; fi
  printf '%s ...' "$label"
  local status=0
  "$@" >"$log" 2>&1 || status=$?
  quiet_done "$status" "$log" "$start"
}

# Ends a step's line: " done (N s)", with the number of compiler warnings if the log has any;
# or the failure.
quiet_done() {
  local status=$1 log=$2 start=$3 warnings
  [ "$status" -eq 0 ] || quiet_fail "$status" "$log"
  warnings=$(grep -c 'warning:' "$log" || true)
  if [ "$warnings" -gt 0 ]; then
    echo " done ($((SECONDS - start)) s, $warnings compiler warnings: $log)"
  else
    echo " done ($((SECONDS - start)) s)"
  fi
}

quiet_build() {
  local label=$1 log=$quiet_log_dir/$2.log start=$SECONDS
  shift 2
  if [ -n "${XGRAD_VERBOSE:-}" ]; then "$@"; return; fi
  printf '%s ...' "$label"
  local status=0
  # Show cmake's percentage every 10 points, on the same line.
  set +o pipefail
  # (a bash loop, not awk: mawk buffers its input and the line would stay silent until the end)
  "$@" 2>&1 | tee "$log" | {
    local line p shown=0
    while IFS= read -r line; do
      if [[ $line =~ ^\[\ *([0-9]+)%\] ]]; then
        p=$((10#${BASH_REMATCH[1]}))
        if ((p >= shown + 10)); then
          shown=$((p - p % 10))
          printf ' %d%%' "$p"
        fi
      fi
    done
  }
  status=${PIPESTATUS[0]}
  set -o pipefail
  quiet_done "$status" "$log" "$start"
}

# Stops before any work when the disk lacks room for what the build dirs will hold (a build
# that fills the disk fails minutes in, on a compiler's "No space left on device"). What the
# DIRs hold already counts as room: a rebuild reuses it. LABEL names the step.
#   quiet_need_disk LABEL MB DIR...
quiet_need_disk() {
  local label=$1 need_mb=$2 dir free_kb held_kb=0
  shift 2
  mkdir -p "$@"
  free_kb=$(df -Pk "$1" | awk 'NR == 2 { print $4 }')
  for dir in "$@"; do held_kb=$((held_kb + $(du -sk "$dir" | cut -f1))); done
  if [ $((free_kb + held_kb)) -lt $((need_mb * 1024)) ]; then
    awk -v l="$label" -v n="$need_mb" -v d="$*" -v h="$held_kb" -v f="$free_kb" -v p="$1" 'BEGIN {
      printf "%s needs about %.1f GB of disk for %s (%.1f GB there now) but %.1f GB are free (df -h %s)\n",
             l, n / 1024, d, h / 1048576, f / 1048576, p }' >&2
    exit 1
  fi
}
