#!/bin/sh
# Checks an example's command line (ctest entries in examples/CMakeLists.txt).
#   cli_test.sh help      PROGRAM            --help: usage on stdout, exit 0, nothing on stderr
#   cli_test.sh bad_flag  PROGRAM            an unknown flag: error and usage on stderr, exit 2
#   cli_test.sh bad_value PROGRAM ARGS...    a bad value: error and usage on stderr, exit 2
#   cli_test.sh bad_path  PROGRAM ARGS...    an unwritable output path (the last argument):
#                                            exit 1 before any work, the path named on stderr
#   cli_test.sh user_folder PROGRAM          a small IDX folder of the user's (not a known
#                                            dataset) trains through --data, with a one-line note
#   cli_test.sh bad_folder  PROGRAM          the same folder with one label missing: exit 1, the
#                                            counts named
#   cli_test.sh resume      PROGRAM          on that folder: --save m.xgrad writes a whole model,
#                                            --load m.xgrad continues from it (and from a weights
#                                            file); --load of a missing file is a usage error
set -u
mode=$1
program=$2
shift 2
out=$(mktemp)
err=$(mktemp)
data=$(mktemp -d)
trap 'rm -rf "$out" "$err" "$data"' EXIT
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
  user_folder | bad_folder | resume)
    # 64 training and 32 test images of 28x28 (all zero) in MNIST's IDX layout, labels 0..9.
    labels() {  # N: the IDX header of N unsigned-byte labels, then the labels
      printf '\000\000\010\001\000\000\000'"\\$(printf %03o "$1")"
      i=0
      while [ "$i" -lt "$1" ]; do printf "\\$(printf %03o $((i % 10)))"; i=$((i + 1)); done
    }
    images() {  # N: the IDX header of N 28x28 unsigned-byte images, then the pixels
      printf '\000\000\010\003\000\000\000'"\\$(printf %03o "$1")"'\000\000\000\034\000\000\000\034'
      head -c $(($1 * 784)) /dev/zero
    }
    images 64 >"$data/train-images-idx3-ubyte"
    labels 64 >"$data/train-labels-idx1-ubyte"
    images 32 | gzip >"$data/t10k-images-idx3-ubyte.gz"
    labels 32 | gzip >"$data/t10k-labels-idx1-ubyte.gz"
    if [ "$mode" = resume ]; then
      run() { "$program" --data "$data" --epochs 1 --batch-size 16 "$@" >"$out" 2>"$err"; }
      run --save "$data/m.xgrad" || fail "--save m.xgrad: exit status $?"
      version() { od -An -tu1 -j8 -N1 "$1" | tr -d ' '; }  # the format version's low byte
      [ "$(version "$data/m.xgrad")" = 2 ] || fail "m.xgrad is not a whole-model file (version 2)"
      run --load "$data/m.xgrad" --save "$data/w.wts" || fail "--load m.xgrad: exit status $?"
      grep -q "^loaded $data/m.xgrad: the weights and optimizer state after 4 steps" "$out" ||
        fail "--load m.xgrad did not restore the 4 steps of the first run"
      grep -q '^test_acc: ' "$out" || fail "no test_acc after --load m.xgrad"
      [ "$(version "$data/w.wts")" = 1 ] || fail "w.wts is not a weights file (version 1)"
      run --load "$data/w.wts" || fail "--load w.wts: exit status $?"
      grep -q "after 8 steps" "$out" || fail "--load w.wts did not restore the 8 steps of two runs"
      run --load "$data/missing.xgrad"
      status=$?
      [ $status -eq 2 ] || fail "--load of a missing file: exit status $status, expected 2"
      grep -q 'missing.xgrad' "$err" || fail "the missing file is not named"
    elif [ "$mode" = bad_folder ]; then
      labels 63 >"$data/train-labels-idx1-ubyte"
      "$program" --data "$data" --epochs 1 >"$out" 2>"$err"
      status=$?
      [ $status -eq 1 ] || fail "exit status $status, expected 1"
      grep -q "train-labels-idx1-ubyte has 63 labels but train-images-idx3-ubyte has 64 images" "$err" ||
        fail "the message does not name the counts"
    else
      "$program" --data "$data" --epochs 1 --batch-size 16 >"$out" 2>"$err"
      status=$?
      [ $status -eq 0 ] || fail "exit status $status, expected 0"
      [ "$(wc -l <"$err")" -eq 1 ] || fail "expected exactly one line on stderr"
      grep -q "^note: $data is not a known dataset" "$err" || fail "no note"
      grep -q '^test_acc: ' "$out" || fail "no test_acc"
    fi
    ;;
  *) echo "cli_test.sh: unknown mode $mode" >&2; exit 2 ;;
esac
exit 0
