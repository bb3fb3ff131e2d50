#!/bin/sh
# Benchmark of kplan-validate (all checks on) on a 1,000,000-row table shaped like
# targets.csv, side by side with: a bare libcsv parse (the ceiling for a libcsv reader),
# `wc -l` (the I/O ceiling) and the peer tableschema-js (npm `tableschema`, casting the
# same rows against the same schema; installed here into $KPLAN_BENCH_DIR/npm, never by
# the product).  Reports wall and CPU seconds, MB/s, rows/s and peak RSS
# (/usr/bin/time -f %M).  Figures, not a pass/fail test.
#   BENCH_ROWS (default 1000000)   rows of the generated table
#   PEER_ROWS  (default 100000)    rows the peer casts (it is slow; rows/s is compared)
#   BENCH_REPEAT (default 3)       runs per tool; the fastest (least disturbed) is shown,
#                                  the same for every tool
set -eu
peer_rows=${PEER_ROWS:-100000}
. "${KPLAN_TOP:?}/tests/bench/timing.sh"
cc -O2 -o "$dir/bare-libcsv" "$top/tests/bench/bare-libcsv.c" -lcsv

echo "table: $data ($rows rows, $bytes bytes); machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); best of $repeat runs each; MB = 10^6 bytes"
printf "%-26s %8s %8s %9s %9s %11s %11s %9s\n" tool wall_s cpu_s MB/s MB/s_cpu rows/s rows/s_cpu RSS_MB
run "wc -l" "$rows" wc -l "$data"
run "bare libcsv parse" "$rows" "$dir/bare-libcsv" "$data"
run "kplan-validate" "$rows" "$bin/kplan-validate" --schema "$schema" "$data"
tail -n 1 "$dir/out.txt" | sed 's/^/  (kplan-validate says: /; s/$/)/'

# The peer (installed once, see timing.sh).
if peer_ready; then
	NODE_PATH="$npmdir/node_modules" run "tableschema-js (peer)" "$peer_rows" \
		node "$top/tests/bench/peer-tableschema.js" "$schema" "$peer_data"
	echo "  (peer says: $(cat "$dir/out.txt") = rows, row errors, seconds in-process)"
else
	echo "tableschema-js (peer): not run (needs node and npm)"
fi
