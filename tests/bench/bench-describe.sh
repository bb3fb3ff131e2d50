#!/bin/sh
# Benchmark of schema inference on the 1,000,000-row targets table (bench-validate's):
#   kplan-validate with the package's schema, and with none (inferred: the file is read
#   twice, once to infer the types, once to check);
#   kplan-describe (a draft schema from every row: types, vocabularies, key candidates);
#   the peer tableschema-js `infer` (npm `tableschema`), told to look at every row of
#   PEER_ROWS (default 20,000: it takes about 0.4 ms a row), compared per row.
# Figures, not a pass/fail test: wall and CPU seconds, MB/s, rows/s, peak RSS.
set -eu
peer_rows=${PEER_ROWS:-20000}
. "${KPLAN_TOP:?}/tests/bench/timing.sh"

echo "table: $data ($rows rows, $bytes bytes); machine: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); best of $repeat runs each; MB = 10^6 bytes"
printf "%-26s %8s %8s %9s %9s %11s %11s %9s\n" tool wall_s cpu_s MB/s MB/s_cpu rows/s rows/s_cpu RSS_MB
run "kplan-validate --schema" "$rows" "$bin/kplan-validate" --schema "$schema" "$data"
run "kplan-validate (inferred)" "$rows" "$bin/kplan-validate" "$data"
grep -m1 "rows, " "$dir/out.txt" | sed "s/^/  (kplan-validate says: /; s/$/)/"
run "kplan-describe" "$rows" "$bin/kplan-describe" "$data"
grep '"description"' "$dir/out.txt" | sed 's/^ */  (kplan-describe says: /; s/$/)/'

# The peer (installed once, see timing.sh).
if peer_ready; then
	repeat=1 NODE_PATH="$npmdir/node_modules" run "tableschema-js infer (peer)" "$peer_rows" \
		node "$top/tests/bench/peer-infer.js" "$peer_data" "$peer_rows"
	echo "  (peer says: $(cat "$dir/out.txt") = rows, fields, seconds in-process)"
else
	echo "tableschema-js infer (peer): not run (needs node and npm)"
fi
