#!/usr/bin/env bash
# xgrad vs PyTorch on the MNIST network, alternating the two in one run on one machine.
#   bench/bench_mnist.sh [--runs N] [--epochs N] [--threads N] [--busy]
# Prints median seconds per epoch for each, their ratio, peak RSS for each, and xgrad's share of
# the matrix-product roofline (sgemm time of one step's shapes x 469, over xgrad's epoch time).
# --busy keeps one core busy with another process during the runs (thread-spin check).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=3 epochs=2 threads=$(nproc) busy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --busy) busy=1; shift ;;
    *) echo "usage: $0 [--runs N] [--epochs N] [--threads N] [--busy]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh bench
scripts/fetch_mnist.sh
build_targets mnist sgemm_roofline

# --threads N fixes xgrad's thread count; with a busy core xgrad runs as a user gets it by
# default (all cores, one thread for an epoch when that is faster).
xthreads=(--threads "$threads")
busy_pid=
if [ "$busy" = 1 ]; then
  xthreads=()
  ( while :; do :; done ) &
  busy_pid=$!
  trap 'kill $busy_pid 2>/dev/null || true' EXIT
fi


tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -n "$busy_pid" ] && kill $busy_pid 2>/dev/null || true' EXIT
for r in $(seq "$runs"); do
  /usr/bin/time -f "%M" -o "$tmp/x$r.rss" "$build/examples/mnist" --epochs "$epochs" "${xthreads[@]}" --bench >"$tmp/x$r.out"
  OMP_WAIT_POLICY=PASSIVE /usr/bin/time -f "%M" -o "$tmp/t$r.rss" /usr/bin/python3 bench/torch_mnist.py \
    --epochs "$epochs" --threads "$threads" >"$tmp/t$r.out"
  echo "run $r: xgrad $(field epoch_seconds_median "$tmp/x$r.out") s/epoch (acc $(field test_acc "$tmp/x$r.out")), torch $(field epoch_seconds_median "$tmp/t$r.out") s/epoch (acc $(field test_acc "$tmp/t$r.out"))"
  "$build/bench/sgemm_roofline" "$threads" >"$tmp/s$r.out"  # the floor: fastest of the runs
done

xs=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/x$r.out"; done | median)
ts=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/t$r.out"; done | median)
# Other processes only ever add time: the fastest run of each is the other view of a noisy machine.
xf=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/x$r.out"; done | minimum)
tf=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/t$r.out"; done | minimum)
xr=$(cat "$tmp"/x*.rss | median)
tr=$(cat "$tmp"/t*.rss | median)
sg=$(for r in $(seq "$runs"); do field sgemm_epoch_seconds "$tmp/s$r.out"; done | minimum)
echo
echo "MNIST 784-512-10, batch 128, $epochs epochs x $runs runs, $threads threads$([ "$busy" = 1 ] && echo ', one core busy')"
printf '%-28s %10s %10s %10s\n' "" xgrad pytorch ratio
printf '%-28s %10.3f %10.3f %10.2f\n' "median s/epoch" "$xs" "$ts" "$(echo "$xs / $ts" | bc -l)"
printf '%-28s %10.3f %10.3f %10.2f\n' "fastest s/epoch" "$xf" "$tf" "$(echo "$xf / $tf" | bc -l)"
printf '%-28s %10.0f %10.0f %10.2f\n' "peak RSS (MB)" "$(echo "$xr / 1024" | bc -l)" "$(echo "$tr / 1024" | bc -l)" "$(echo "$xr / $tr" | bc -l)"
printf '%-28s %10.3f\n' "sgemm floor s/epoch" "$sg"
printf '%-28s %9.0f%%\n' "xgrad share of roofline" "$(echo "100 * $sg / $xs" | bc -l)"
