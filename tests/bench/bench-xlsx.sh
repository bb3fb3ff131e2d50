#!/bin/sh
# Workbooks: kplan-validate on a 100,000-row x 12-column .xlsx made here (openpyxl,
# shared strings as Excel writes them are not needed for the figures), beside iterating
# the same sheet with openpyxl in read-only mode and ssconvert (gnumeric) converting it
# to CSV, in the same run.  Figures: wall and CPU seconds, MB/s of the file, rows/s,
# peak RSS.  A second workbook of 4x the rows shows memory flat in rows.
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
dir=${KPLAN_BENCH_DIR:?}
py=${KPLAN_PYTHON:-/usr/bin/python3}
rows=${BENCH_XLSX_ROWS:-100000}
repeat=${BENCH_REPEAT:-3}
timer=/usr/bin/time
mkdir -p "$dir"
make_book() {
	[ -s "$2" ] && return 0
	echo "generating $2 ..."
	"$py" - "$2.tmp" "$1" <<'PY'
import datetime, sys, openpyxl
wb = openpyxl.Workbook(write_only=True)
ws = wb.create_sheet('施設一覧')
ws.append(['ID', '名称', '所在地', '開設日', '定員', '面積', '緯度', '経度', '電話番号', '区分', '備考', '有効'])
d0 = datetime.date(2000, 1, 1)
for i in range(int(sys.argv[2])):
    ws.append([i + 1, f'施設{i:06d}', f'石川県金沢市広坂{i % 100}丁目', d0 + datetime.timedelta(days=i % 9000),
               i % 500, (i % 1000) / 4, 36.5 + (i % 1000) / 10000, 136.6 + (i % 1000) / 10000,
               f'076-220-{i % 10000:04d}', ['公園', '図書館', '体育館'][i % 3], '' if i % 5 else '改修中', i % 2 == 0])
wb.save(sys.argv[1])
PY
	mv "$2.tmp" "$2"
}
book="$dir/facilities-$rows.xlsx"
book4="$dir/facilities-$((rows * 4)).xlsx"
make_book "$rows" "$book"
make_book "$((rows * 4))" "$book4"

run() {
	name=$1 n=$2 file=$3
	shift 3
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
	awk -v name="$name" -v n="$n" -v b="$(wc -c <"$file")" -v w="$wall" -v u="$user" -v s="$sys" -v rss="$rss" 'BEGIN {
		cpu = u + s; if (w < 0.001) w = 0.001; if (cpu < 0.001) cpu = 0.001
		printf "%-34s %8.2f %8.2f %9.1f %11.0f %9.1f\n", name, w, cpu, b / 1e6 / w, n / w, rss / 1024
	}'
}
printf '%-34s %8s %8s %9s %11s %9s\n' tool wall_s cpu_s MB/s rows/s rss_MB
# with a schema: one pass; with none: a pass to infer it, then the check
"$bin/kplan-describe" -o "$dir/facilities.schema.json" "$book"
run "kplan-validate --schema" "$rows" "$book" "$bin/kplan-validate" --schema "$dir/facilities.schema.json" "$book"
run "kplan-validate (no schema)" "$rows" "$book" "$bin/kplan-validate" "$book"
run "kplan-validate --schema, 4x rows" "$((rows * 4))" "$book4" "$bin/kplan-validate" --schema "$dir/facilities.schema.json" "$book4"
run "openpyxl read-only iteration" "$rows" "$book" "$py" -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for row in wb.active.iter_rows(values_only=True):
    n += 1
print(n)' "$book"
if command -v ssconvert >/dev/null; then
	run "ssconvert to CSV (gnumeric)" "$rows" "$book" ssconvert --export-type=Gnumeric_stf:stf_csv "$book" "$dir/ssconvert.csv"
else
	echo "ssconvert (gnumeric) not installed: ci/deps.sh bench installs it"
fi
