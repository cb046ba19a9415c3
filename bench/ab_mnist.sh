#!/usr/bin/env bash
# A/B of two builds of examples/mnist (e.g. main's and a branch's), alternating them in one run:
#   bench/ab_mnist.sh OLD_BINARY NEW_BINARY [--runs N] [--epochs N] [--threads N]
# Each run trains with --bench and reports its median epoch time; the script prints every run,
# then the median and the fastest run of each binary and the ratios NEW/OLD (goal for a
# refactor: <= 1.03).
# Build the old binary from another worktree or checkout, e.g.
#   git worktree add /tmp/xgrad-main main && cmake -S /tmp/xgrad-main -B /tmp/xgrad-main/build &&
#   cmake --build /tmp/xgrad-main/build --target mnist
# Quote the result with the load at the time (uptime): the machine is shared and noisy.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY [--runs N] [--epochs N] [--threads N]" >&2
  exit 2
fi
old=$1 new=$2
shift 2
runs=5 epochs=2 threads=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "usage: $0 OLD_BINARY NEW_BINARY [--runs N] [--epochs N] [--threads N]" >&2; exit 2 ;;
  esac
done
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "$0: $b is not an executable" >&2; exit 2; }
done

. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
for r in $(seq "$runs"); do
  # Alternate which binary goes first, so a drift in load favours neither.
  if [ $((r % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for which in $order; do
    bin=$old; [ "$which" = new ] && bin=$new
    "$bin" --epochs "$epochs" --threads "$threads" --bench >"$tmp/$which$r.out"
  done
  echo "run $r: old $(field epoch_seconds_median "$tmp/old$r.out") s/epoch (acc $(field test_acc "$tmp/old$r.out")), new $(field epoch_seconds_median "$tmp/new$r.out") s/epoch (acc $(field test_acc "$tmp/new$r.out"))"
done
echo "load after: $(uptime)"
o=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/old$r.out"; done | median)
n=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/new$r.out"; done | median)
# The fastest run of each: on a shared machine, other processes only ever add time, so the
# minimum is the steadier estimate of the quiet figure when some runs are hit.
omin=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/old$r.out"; done | sort -g | head -1)
nmin=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/new$r.out"; done | sort -g | head -1)
echo
echo "MNIST 784-512-10, batch 128, $epochs epochs x $runs runs, $threads threads"
printf '%-20s %10s %10s %10s\n' "" old new new/old
printf '%-20s %10.3f %10.3f %10.3f\n' "median s/epoch" "$o" "$n" "$(echo "$n / $o" | bc -l)"
printf '%-20s %10.3f %10.3f %10.3f\n' "fastest s/epoch" "$omin" "$nmin" "$(echo "$nmin / $omin" | bc -l)"
