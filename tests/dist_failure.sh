#!/usr/bin/env bash
# dist_failure.sh MODE PROGRAM MPIRUN...: runs PROGRAM MODE as 2 ranks and checks that the job
# fails (non-zero status), within 15 s, and (for throw/exit) with rank 1's message.
set -uo pipefail
mode=$1 program=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s%N)
timeout 60 "$@" "$program" "$mode" >"$out" 2>&1
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
cat "$out"
echo "dist_failure.sh: mode $mode, status $status, $ms ms"
fail() { echo "dist_failure.sh: FAILED: $*" >&2; exit 1; }
[ "$status" -ne 0 ] || fail "the job exited with status 0"
[ "$status" -ne 124 ] || fail "the job hung (killed by timeout after 60 s)"
[ "$ms" -lt 15000 ] || fail "the job took $ms ms to end (limit 15 s)"
grep -q "passed the barrier" "$out" && fail "rank 0 passed the barrier"
case $mode in
  throw) grep -q "rank 1: deliberate failure on rank 1 (mode throw)" "$out" || fail "no 'rank 1: <message>' line" ;;
  exit) grep -q "error: deliberate failure on rank 1 (mode exit)" "$out" && grep -q "rank 1: exited with status 1" "$out" ||
          fail "no message from rank 1" ;;
esac
echo "dist_failure.sh: OK"
