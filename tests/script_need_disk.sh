#!/usr/bin/env bash
# quiet_need_disk (scripts/lib/quiet.sh), which test.sh and sanitize.sh call before building:
# it stops with a message naming the step, the dirs and the sizes when the disk lacks room,
# counts what the build dirs hold already, and lets the run go on otherwise.
set -uo pipefail
. "$(dirname "$0")/../scripts/lib/quiet.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
free_mb() { df -Pk "$work" | awk 'NR == 2 { print int($4 / 1024) }'; }

# More than the disk has: exit 1 and a message with the label, the dirs and df's hint.
msg=$( (quiet_need_disk "test.sh (the Release build)" $(( $(free_mb) + 1048576 )) "$work/a" "$work/b") 2>&1)
status=$?
[ "$status" -eq 1 ] || fail "exit status $status for a need beyond the disk"
grep -q "^test.sh (the Release build) needs about [0-9.]* GB of disk for $work/a $work/b (0.0 GB there now) but [0-9.]* GB are free (df -h $work/a)$" <<<"$msg" \
  || fail "message: $msg"

# A need the disk meets: no output, status 0, and the dirs exist.
msg=$( (quiet_need_disk "sanitize.sh" 1 "$work/c") 2>&1) || fail "a 1 MB need failed: $msg"
[ -z "$msg" ] || fail "output for a met need: $msg"
[ -d "$work/c" ] || fail "the dir was not made"

# What a dir holds counts as room: 256 MB held makes a need of free + 128 MB pass, and a need
# of free + 384 MB still fails (128 MB either side of the line, for other writers on the disk).
fallocate -l 256M "$work/c/held" 2>/dev/null || dd if=/dev/zero of="$work/c/held" bs=1M count=256 status=none
( quiet_need_disk "sanitize.sh" $(( $(free_mb) + 128 )) "$work/c" ) 2>/dev/null || fail "the held 256 MB did not count"
( quiet_need_disk "sanitize.sh" $(( $(free_mb) + 384 )) "$work/c" ) 2>/dev/null && fail "a need beyond free + held passed"
echo "quiet_need_disk: 4 checks passed"
