#!/usr/bin/env bash
# Benchmarks the release binary on generated corpora (see benches/corpus.py).
# usage: benches/run.sh [--scale N]    Prints wall time and peak memory per corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${2:-1}"
out="target/bench-corpus-$scale"
cargo build --release --quiet
if [ ! -d "$out" ]; then
  python3 benches/corpus.py "$out" --scale "$scale"
fi
bin=target/release/clumio-preflight
for corpus in terraform plan/plan.json cloudformation; do
  size=$(du -sh "$out/$corpus" | cut -f1)
  for run in 1 2 3; do
    /usr/bin/time -f "$corpus ($size) run $run: %e s, %M KB peak" \
      "$bin" "$out/$corpus" --format json --fail-on never > /dev/null
  done
done
