#!/usr/bin/env bash
# Times the reports on one one-line plan JSON with many findings (benches/one_line_plan.py):
# the case where per-finding work proportional to the line's length is quadratic.
# usage: benches/render.sh [FINDINGS] [BINARY]   (defaults: 80000, the release binary)
# Prints wall time and peak memory per format.
set -euo pipefail
cd "$(dirname "$0")/.."
findings="${1:-80000}"
bin="${2:-target/release/clumio-preflight}"
if [ "$#" -lt 2 ]; then
  cargo build --release --quiet
fi
dir="target/bench-render"
plan="$dir/plan-$findings.json"
mkdir -p "$dir"
if [ ! -f "$plan" ]; then
  python3 benches/one_line_plan.py "$plan" "$findings"
fi
size=$(du -h "$plan" | cut -f1)
for format in line json github sarif human; do
  /usr/bin/time -f "$format ($findings findings, $size, one line): %e s, %M KB peak" \
    "$bin" "$plan" --no-config --format "$format" --color never --fail-on never > /dev/null
done
