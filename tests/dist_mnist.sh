#!/usr/bin/env bash
# dist_mnist.sh MNIST MPIRUN...: examples/mnist as 2 ranks on a 2,000-image subset for one epoch,
# when the MNIST data is in the cache (CI fetches it; unit tests never need it). Checks that the
# job says how many processes train, prints its lines once, learns, and writes the weights.
set -uo pipefail
mnist=$1
shift
data_dir=${XGRAD_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist}
if ! compgen -G "$data_dir/train-images-idx3-ubyte*" >/dev/null; then
  echo "SKIPPED: no MNIST data in $data_dir (scripts/fetch_mnist.sh)"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout 300 "$@" "$mnist" --data "$data_dir" --subset 2000 --epochs 1 --threads 1 --save "$work/w.xgw" >"$work/out" 2>&1
status=$?
cat "$work/out"
fail() { echo "dist_mnist.sh: FAILED: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "status $status"
[ "$(grep -c '^training on 2 processes$' "$work/out")" -eq 1 ] || fail "'training on 2 processes' not printed exactly once"
[ "$(grep -c '^test_acc: ' "$work/out")" -eq 1 ] || fail "test_acc not printed exactly once"
[ "$(grep -c '^Epoch 1/1$' "$work/out")" -eq 1 ] || fail "the progress not printed exactly once"
acc=$(sed -n 's/^test_acc: //p' "$work/out")
awk -v a="$acc" 'BEGIN { exit !(a > 0.75) }' || fail "test_acc $acc <= 0.75 after one epoch on 2,000 images"
[ -s "$work/w.xgw" ] || fail "no weights file written"
[ -z "$(find "$work" -name '*.tmp*')" ] || fail "a temporary file was left behind"
echo "dist_mnist.sh: OK (test_acc $acc)"
