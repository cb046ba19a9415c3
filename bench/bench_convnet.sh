#!/usr/bin/env bash
# xgrad vs PyTorch on the ch. 5 convnet, alternating the two in one run on one machine.
#   bench/bench_convnet.sh [--runs N] [--epochs N] [--threads N] [--subset N]
# Prints median seconds per epoch for each, their ratio (goal: xgrad <= 0.6x), peak RSS, test
# accuracy and the sgemm floor of one epoch (the convnet's im2col products timed alone).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=3 epochs=2 threads=2 subset=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --subset) subset=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--epochs N] [--threads N] [--subset N]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh bench
scripts/fetch_mnist.sh
build_targets mnist_convnet sgemm_roofline

sub=()
[ "$subset" -gt 0 ] && sub=(--subset "$subset")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
for r in $(seq "$runs"); do
  /usr/bin/time -f "%M" -o "$tmp/x$r.rss" "$build/examples/mnist_convnet" --epochs "$epochs" --threads "$threads" \
    --seed "$r" "${sub[@]}" --bench >"$tmp/x$r.out"
  OMP_WAIT_POLICY=PASSIVE /usr/bin/time -f "%M" -o "$tmp/t$r.rss" /usr/bin/python3 bench/torch_convnet.py \
    --epochs "$epochs" --threads "$threads" --seed "$r" "${sub[@]}" >"$tmp/t$r.out"
  echo "run $r: xgrad $(field epoch_seconds_median "$tmp/x$r.out") s/epoch (acc $(field test_acc "$tmp/x$r.out")), torch $(field epoch_seconds_median "$tmp/t$r.out") s/epoch (acc $(field test_acc "$tmp/t$r.out"))"
  "$build/bench/sgemm_roofline" "$threads" convnet >"$tmp/s$r.out"  # the floor: fastest of the runs
done
echo "load after: $(uptime)"

xs=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/x$r.out"; done | median)
ts=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/t$r.out"; done | median)
# Other processes only ever add time: the fastest run of each is the other view of a noisy machine.
xf=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/x$r.out"; done | minimum)
tf=$(for r in $(seq "$runs"); do field epoch_seconds_median "$tmp/t$r.out"; done | minimum)
xr=$(cat "$tmp"/x*.rss | median)
tr=$(cat "$tmp"/t*.rss | median)
sg=$(for r in $(seq "$runs"); do field sgemm_epoch_seconds "$tmp/s$r.out"; done | minimum)
echo
echo "ch. 5 convnet, batch 64, $epochs epochs x $runs runs, $threads threads$([ "$subset" -gt 0 ] && echo ", first $subset images")"
printf '%-28s %10s %10s %10s\n' "" xgrad pytorch ratio
printf '%-28s %10.3f %10.3f %10.2f\n' "median s/epoch" "$xs" "$ts" "$(echo "$xs / $ts" | bc -l)"
printf '%-28s %10.3f %10.3f %10.2f\n' "fastest s/epoch" "$xf" "$tf" "$(echo "$xf / $tf" | bc -l)"
printf '%-28s %10.0f %10.0f %10.2f\n' "peak RSS (MB)" "$(echo "$xr / 1024" | bc -l)" "$(echo "$tr / 1024" | bc -l)" "$(echo "$xr / $tr" | bc -l)"
printf '%-28s %10.3f\n' "sgemm floor s/epoch" "$sg"
printf '%-28s %9.0f%%\n' "xgrad share of the floor" "$(echo "100 * $sg / $xs" | bc -l)"
