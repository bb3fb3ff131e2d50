#!/bin/sh
# `make bench`: runs every tests/bench/bench-*.sh in turn.  Benchmarks report figures
# (MB/s, rows/s, peak RSS) beside named peers; they are not pass/fail tests.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
export KPLAN_TOP="$top" KPLAN_BIN="$top/${BUILD:-build}/bin" KPLAN_PYTHON=${KPLAN_PYTHON:-/usr/bin/python3}
export KPLAN_BENCH_DIR=${KPLAN_BENCH_DIR:-$top/build/bench}
mkdir -p "$KPLAN_BENCH_DIR"
found=0
for b in "$top"/tests/bench/bench-*.sh; do
	[ -f "$b" ] || continue
	found=1
	echo "== $(basename "$b" .sh)"
	sh "$b"
done
[ $found = 1 ] || echo "kplan: no benchmarks yet"
