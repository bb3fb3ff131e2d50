#!/bin/sh
# make bench: kplan-export on the 1,000,000-row targets table (the validation benchmark's
# table, from tests/bench/gen-targets.py), to each format, beside peers on the same data:
#   JSON     Miller: mlr --icsv --ojson cat
#   RDF/XML  rapper: the same triples, N-Triples → RDF/XML (on the first
#            $KPLAN_BENCH_RAPPER_ROWS rows, default 200,000: rapper needs minutes for
#            the whole table, so both sides are compared per triple)
# kplan-export's time includes its validation (it writes while it validates).
# Figures: wall seconds, MB/s of the source CSV (MB = 10^6 bytes; triples/s for RDF), peak
# RSS; each the fastest of $BENCH_REPEAT runs (default 3; the machine may be shared), except
# the rapper comparison, run once (it takes about a minute).
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${KPLAN_BENCH_DIR:?}"
rows=${KPLAN_BENCH_ROWS:-1000000}
rrows=${KPLAN_BENCH_RAPPER_ROWS:-200000}
repeat=${BENCH_REPEAT:-3}
py=${KPLAN_PYTHON:-/usr/bin/python3}
gen="$KPLAN_TOP/tests/bench/gen-targets.py"
if [ ! -f "$gen" ]; then
	echo "bench-export: skipped: $gen is missing (it comes with the validate branch)"
	exit 0
fi
for tool in /usr/bin/time mlr rapper; do
	command -v "$tool" >/dev/null || { echo "bench-export: skipped: $tool is missing (Debian: time, miller, raptor2-utils)"; exit 0; }
done
dir="$KPLAN_BENCH_DIR/export"
mkdir -p "$dir"
csv="$KPLAN_BENCH_DIR/targets-$rows.csv"
[ -f "$csv" ] || "$py" "$gen" "$csv" "$rows"

# A package of that one table (tests/bench/targets-package.py).
mkpkg() { # folder, csv
	"$py" "$KPLAN_TOP/tests/bench/targets-package.py" "$KPLAN_TOP" "$1" "$2"
}
mkpkg "$dir/pkg" "$csv"
mb=$("$py" -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$csv")

# run NAME CMD...: prints seconds, MB/s of the source, peak RSS; output to $dir/NAME.out
run() {
	name=$1
	shift
	best=
	k=0
	while [ $k -lt "$repeat" ]; do
		k=$((k + 1))
		/usr/bin/time -f '%e %M' -o "$dir/one.time" "$@" >"$dir/$name.out"
		read -r w _ <"$dir/one.time"
		if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$w
			cp "$dir/one.time" "$dir/$name.time"
		fi
	done
	read -r secs kb <"$dir/$name.time"
	"$py" -c "import sys; s=float(sys.argv[2]); print('%-28s %7.2f s %8.1f MB/s %8.1f MB peak RSS' % (sys.argv[1], s, float(sys.argv[3]) / max(s, 1e-3), int(sys.argv[4]) / 1024))" \
		"$name" "$secs" "$mb" "$kb"
}

echo "source: $rows rows, $mb MB ($csv)"
run "kplan-validate (reference)" "$KPLAN_BIN/kplan-validate" --package "$dir/pkg"
for f in csv json rdf; do
	rm -rf "$dir/out-$f" # (repeated runs replace the files, as a re-export does)
	run "kplan-export --format $f" "$KPLAN_BIN/kplan-export" --package "$dir/pkg" --format "$f" -o "$dir/out-$f"
done
# What writing adds: export time minus the validation it runs (it writes while it
# validates, the conversion and writing in a second thread).  The reference validation
# also hashes the file (export does not), so this can come out at or below zero.
read -r vsecs vkb <"$dir/kplan-validate (reference).time"
for f in csv json rdf; do
	read -r secs kb <"$dir/kplan-export --format $f.time"
	"$py" -c "import sys; d=float(sys.argv[2]) - float(sys.argv[3]); print('%-28s %7.2f s %s (export minus validation)' % (sys.argv[1], d, '%8.1f MB/s' % (float(sys.argv[4]) / d) if d > 0.01 else '  (within noise)'))" \
		"  writing adds, $f" "$secs" "$vsecs" "$mb"
done
run "mlr --icsv --ojson cat" mlr --icsv --ojson cat "$csv"
rm -f "$dir/mlr --icsv --ojson cat.out"

# RDF per triple, on the first $rrows rows for both.
small="$KPLAN_BENCH_DIR/targets-$rows-head$rrows.csv"
[ -f "$small" ] || head -n $((rrows + 1)) "$csv" >"$small"
mkpkg "$dir/pkg-small" "$small"
rm -rf "$dir/out-small"
/usr/bin/time -f '%e %M' -o "$dir/ours.time" "$KPLAN_BIN/kplan-export" --package "$dir/pkg-small" --format rdf -o "$dir/out-small"
rapper -q -i rdfxml -o ntriples "$dir/out-small"/*.rdf >"$dir/small.nt"
triples=$(wc -l <"$dir/small.nt")
/usr/bin/time -f '%e %M' -o "$dir/rapper.time" rapper -q -i ntriples -o rdfxml "$dir/small.nt" >"$dir/rapper.rdf"
for who in ours rapper; do
	read -r secs kb <"$dir/$who.time"
	"$py" -c "import sys; s=float(sys.argv[2]); print('%-28s %7.2f s %8.0f triples/s %8.1f MB peak RSS' % (sys.argv[1], s, int(sys.argv[3]) / max(s, 1e-3), int(sys.argv[4]) / 1024))" \
		"$([ $who = ours ] && echo "kplan-export --format rdf" || echo "rapper ntriples->rdfxml") ($rrows rows)" "$secs" "$triples" "$kb"
done
rm -f "$dir/small.nt" "$dir/rapper.rdf"
rm -rf "$dir/out-csv" "$dir/out-json" "$dir/out-rdf" "$dir/out-small" "$dir"/*.out
