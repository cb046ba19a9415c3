#!/bin/sh
# Checks an example's command line (ctest entries in examples/CMakeLists.txt).
#   cli_test.sh help      PROGRAM            --help: usage on stdout, exit 0, nothing on stderr
#   cli_test.sh bad_flag  PROGRAM            an unknown flag: error and usage on stderr, exit 2
#   cli_test.sh bad_value PROGRAM ARGS...    a bad value: error and usage on stderr, exit 2
#   cli_test.sh bad_path  PROGRAM ARGS...    an unwritable output path (the last argument):
#                                            exit 1 before any work, the path named on stderr
set -u
mode=$1
program=$2
shift 2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() {
  echo "FAIL ($mode): $*"
  echo "--- stdout"; cat "$out"
  echo "--- stderr"; cat "$err"
  exit 1
}
case $mode in
  help)
    "$program" --help >"$out" 2>"$err"
    status=$?
    [ $status -eq 0 ] || fail "exit status $status, expected 0"
    grep -q 'Usage:' "$out" || fail "no 'Usage:' on stdout"
    grep -q -- '--help' "$out" || fail "--help is not listed"
    [ ! -s "$err" ] || fail "stderr is not empty"
    [ ! -e ./--help ] || fail "a file named --help was created"
    ;;
  bad_flag | bad_value)
    if [ "$mode" = bad_flag ]; then set -- --no-such-flag; fi
    "$program" "$@" >"$out" 2>"$err"
    status=$?
    [ $status -eq 2 ] || fail "exit status $status, expected 2"
    grep -q 'Usage:' "$err" || fail "no usage on stderr"
    [ ! -s "$out" ] || fail "stdout is not empty"
    head -1 "$err" | grep -q -F -- "$1" || fail "the error does not name $1"
    ;;
  bad_path)
    for last in "$@"; do :; done
    # --data points nowhere: if the path were checked only after loading the data (or after
    # training), the error would name the data folder instead.
    case $program in */mnist) set -- --data /nonexistent/xgrad-data "$@" ;; esac
    "$program" "$@" >"$out" 2>"$err"
    status=$?
    [ $status -eq 1 ] || fail "exit status $status, expected 1"
    grep -q -F -- "$last" "$err" || fail "the message does not name $last"
    grep -q 'nonexistent/xgrad-data' "$err" && fail "the data was read before the output path was checked"
    [ ! -s "$out" ] || fail "stdout is not empty: the work started"
    ;;
  *) echo "cli_test.sh: unknown mode $mode" >&2; exit 2 ;;
esac
exit 0
