#!/usr/bin/env bash
# Fetches Chart.js (the charting library of train::HtmlReport's page) into the npm cache that
# CMake reads when it configures the build:
#   ${XGRAD_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/npm}/chart.js-<version>/chart.umd.js
# The library's code is never committed: CMake embeds this file into the xgrad library at build
# time (cmake/chartjs.cmake), so the report stays one offline HTML file. Re-run cmake after
# fetching. Verifies SHA-256; does nothing if the file is already there and verified.
set -euo pipefail

version=4.4.7
sha256=2812cb8825fdc57469eb2f7bb055e9429244e599920511ee477e828499b632cb  # dist/chart.umd.js; keep in sync with cmake/chartjs.cmake
if [[ $# -gt 0 ]]; then
  echo "usage: $0   (installs chart.js@$version into \${XGRAD_NPM_CACHE:-\${XDG_CACHE_HOME:-\$HOME/.cache}/xgrad/npm})" >&2
  exit 2
fi
dir="${XGRAD_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xgrad/npm}/chart.js-$version"
file="$dir/chart.umd.js"

if [[ -f $file ]] && [[ $(sha256sum -- "$file" | cut -d' ' -f1) == "$sha256" ]]; then
  echo "Chart.js $version is already in $dir (verified)"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch_chartjs.sh: npm not found (Debian: apt-get install npm)." >&2
  echo "By hand: npm pack chart.js@$version && tar xzf chart.js-$version.tgz && mkdir -p '$dir' && cp package/dist/chart.umd.js package/LICENSE.md '$dir'" >&2
  exit 1
fi
mkdir -p -- "$dir"
tmp=$(mktemp -d "$dir/.fetch-XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
echo "fetching chart.js@$version into $dir"
if ! (cd "$tmp" && npm pack "chart.js@$version" --loglevel=warn --fetch-retries=1 --fetch-timeout=60000 >/dev/null); then
  echo "fetch_chartjs.sh: npm pack chart.js@$version failed (offline?)." >&2
  exit 1
fi
tar --no-same-owner -xzf "$tmp/chart.js-$version.tgz" -C "$tmp" package/dist/chart.umd.js package/LICENSE.md
got=$(sha256sum -- "$tmp/package/dist/chart.umd.js" | cut -d' ' -f1)
if [[ $got != "$sha256" ]]; then
  echo "fetch_chartjs.sh: chart.umd.js from chart.js@$version has SHA-256 $got, expected $sha256" >&2
  exit 1
fi
mv -f -- "$tmp/package/LICENSE.md" "$dir/LICENSE.md"
mv -f -- "$tmp/package/dist/chart.umd.js" "$file"
echo "Chart.js $version is in $dir (verified); re-run cmake to embed it"
