# Sourced by the bench-*.sh scripts: the benchmark table (generated once; BENCH_TABLE=none
# for a script with tables of its own, which sets rows and bytes before each run), and
# the timing of one tool as one line of figures (run).
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
dir=${KPLAN_BENCH_DIR:?}
py=${KPLAN_PYTHON:-/usr/bin/python3}
rows=${BENCH_ROWS:-1000000}
repeat=${BENCH_REPEAT:-3}
schema="$top/schemas/kanazawa-plan/targets.schema.json"
data="$dir/targets-$rows.csv"
mkdir -p "$dir"

# The table is generated once and reused (also by bench-export).
if [ "${BENCH_TABLE:-}" != none ]; then
	if [ ! -s "$data" ]; then
		echo "generating $data ..."
		"$py" "$top/tests/bench/gen-targets.py" "$data.tmp" "$rows" && mv "$data.tmp" "$data"
	fi
	bytes=$(wc -c <"$data")
fi
timer=/usr/bin/time
[ -x "$timer" ] || { echo "bench: /usr/bin/time is missing (apt-get install time)"; exit 1; }

# run NAME ROWS CMD...: one line of figures from /usr/bin/time (wall, user, sys, max RSS).
run() {
	name=$1 n=$2
	shift 2
	best=
	k=0
	while [ $k -lt "$repeat" ]; do
		k=$((k + 1))
		"$timer" -f '%e %U %S %M' -o "$dir/time.out" "$@" >"$dir/out.txt" 2>"$dir/err.txt" || true
		w=$(tail -n 1 "$dir/time.out" | cut -d' ' -f1) # past "Command exited with …"
		if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$w
			cp "$dir/time.out" "$dir/best.out"
		fi
	done
	read -r wall user sys rss <<EOF
$(tail -n 1 "$dir/best.out")
EOF
	awk -v name="$name" -v n="$n" -v b="$bytes" -v rows="$rows" -v w="$wall" -v u="$user" -v s="$sys" -v rss="$rss" 'BEGIN {
		cpu = u + s; if (w < 0.001) w = 0.001; if (cpu < 0.001) cpu = 0.001
		mb = b / 1e6 * (n / rows)
		printf "%-26s %8.2f %8.2f %9.1f %9.1f %11.0f %11.0f %9.1f\n", name, w, cpu, mb / w, mb / cpu, n / w, n / cpu, rss / 1024
	}'
}


# peer_ready: installs the peer (npm `tableschema`) into $dir/npm once, and cuts the
# table's first $peer_rows rows for it into $peer_data.  Fails (1) when node or npm
# is missing, or the install failed: the peer is then skipped.
peer_ready() {
	npmdir="$dir/npm"
	if [ ! -d "$npmdir/node_modules/tableschema" ] && command -v npm >/dev/null; then
		mkdir -p "$npmdir"
		(cd "$npmdir" && npm install --no-audit --no-fund --silent tableschema@1.12.6 >/dev/null 2>&1) ||
			echo "bench: npm install tableschema failed; peer skipped"
	fi
	[ -d "$npmdir/node_modules/tableschema" ] && command -v node >/dev/null || return 1
	peer_data="$dir/targets-peer-$peer_rows.csv"
	[ -s "$peer_data" ] || head -n $((peer_rows + 1)) "$data" >"$peer_data"
}
