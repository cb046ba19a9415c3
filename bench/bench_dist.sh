#!/usr/bin/env bash
# Data-parallel MNIST on this machine, alternating the configurations in one run.
#   bench/bench_dist.sh [--runs N] [--epochs N]     speed: 1 process x 2 threads, 2 processes x 1
#                                                   thread (overlap on, then off = the default);
#                                                   medians, ratios,
#                                                   allreduce time and bytes per step
#   bench/bench_dist.sh --accuracy [--seeds "0 1 2"] test_acc of the book's recipe (5 epochs,
#                                                   global batch 128), 2 processes and 1, per seed
# Quote the load (uptime) with the figures: the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
runs=3 epochs=2 accuracy=0 seeds="0 1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --accuracy) accuracy=1; shift ;;
    --seeds) seeds=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--epochs N] | --accuracy [--seeds \"0 1 2\"]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh mnist
scripts/fetch_mnist.sh >/dev/null
build_targets mnist dist_allreduce
mnist=$build/examples/mnist
# OpenMPI as root on a 2-core machine; harmless for other users.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mpirun=(mpirun -np 2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"

if [ "$accuracy" = 1 ]; then
  printf '%-6s %12s %12s\n' seed "np=2 acc" "np=1 acc"
  for s in $seeds; do
    "${mpirun[@]}" "$mnist" --seed "$s" --bench >"$tmp/a2" 2>&1
    "$mnist" --seed "$s" --bench >"$tmp/a1" 2>&1
    printf '%-6s %12s %12s\n' "$s" "$(field test_acc "$tmp/a2")" "$(field test_acc "$tmp/a1")"
  done
  echo "load after: $(uptime)"
  exit 0
fi

for r in $(seq "$runs"); do
  "$mnist" --epochs "$epochs" --threads 2 --bench >"$tmp/one$r" 2>&1
  XGRAD_DIST_REPORT=1 XGRAD_DIST_OVERLAP=1 "${mpirun[@]}" "$mnist" --epochs "$epochs" --threads 1 --bench >"$tmp/two$r" 2>&1
  XGRAD_DIST_REPORT=1 XGRAD_DIST_OVERLAP=0 "${mpirun[@]}" "$mnist" --epochs "$epochs" --threads 1 --bench >"$tmp/seq$r" 2>&1
  echo "run $r: np=1x2 threads $(field epoch_seconds_median "$tmp/one$r") s/epoch," \
       "np=2x1 overlap $(field epoch_seconds_median "$tmp/two$r") s/epoch," \
       "np=2x1 no overlap $(field epoch_seconds_median "$tmp/seq$r") s/epoch"
done
"${mpirun[@]}" "$build/bench/dist_allreduce" 200 >"$tmp/ar" 2>&1

med() { for r in $(seq "$runs"); do field "$1" "$tmp/$2$r"; done | median; }
# "allreduce wait 0.123 ms/step of 2.345 ms fwd+bwd+allreduce" from the trainer's report line.
report() { for r in $(seq "$runs"); do sed -n "s/.*allreduce wait \([0-9.]*\) ms\/step of \([0-9.]*\) ms.*/\\$1/p" "$tmp/$2$r" | tail -1; done | median; }
one=$(med epoch_seconds_median one) two=$(med epoch_seconds_median two) seq=$(med epoch_seconds_median seq)
echo
echo "MNIST 784-512-10, global batch 128, $epochs epochs x $runs runs (median s/epoch)"
printf '%-40s %8.3f\n' "np=1, 2 threads" "$one"
printf '%-40s %8.3f  speed-up %.2f\n' "np=2, 1 thread each, overlap" "$two" "$(echo "$one / $two" | bc -l)"
printf '%-40s %8.3f  speed-up %.2f\n' "np=2, 1 thread each, no overlap" "$seq" "$(echo "$one / $seq" | bc -l)"
printf '%-40s %8.3f ms of %.3f ms (overlap), %.3f ms of %.3f ms (none)\n' "allreduce wait per step (fwd+bwd+ar)" \
  "$(report 1 two)" "$(report 2 two)" "$(report 1 seq)" "$(report 2 seq)"
grep -h "MB per step" "$tmp/seq1" | head -1
grep -h RESULT "$tmp/ar"
echo "load after: $(uptime)"
