#!/bin/sh
# Workbooks: kplan-validate on a 100,000-row x 12-column .xlsx made here (openpyxl,
# shared strings as Excel writes them are not needed for the figures), beside iterating
# the same sheet with openpyxl in read-only mode and ssconvert (gnumeric) converting it
# to CSV, in the same run.  Figures: wall and CPU seconds, MB/s of the file, rows/s,
# peak RSS.  A second workbook of 4x the rows shows memory flat in rows.
set -eu
BENCH_TABLE=none
. "$KPLAN_TOP/tests/bench/timing.sh"
book_rows=${BENCH_XLSX_ROWS:-100000}
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
book="$dir/facilities-$book_rows.xlsx"
book4="$dir/facilities-$((book_rows * 4)).xlsx"
make_book "$book_rows" "$book"
make_book "$((book_rows * 4))" "$book4"

# xrun NAME ROWS FILE CMD...: run, with the figures per the workbook FILE
xrun() {
	rows=$2 bytes=$(wc -c <"$3")
	n=$1
	shift 3
	run "$n" "$rows" "$@"
}
printf "%-26s %8s %8s %9s %9s %11s %11s %9s\n" tool wall_s cpu_s MB/s MB/s_cpu rows/s rows/s_cpu RSS_MB
# with a schema: one pass; with none: a pass to infer it, then the check
"$bin/kplan-describe" -o "$dir/facilities.schema.json" "$book"
xrun "kplan-validate --schema" "$book_rows" "$book" "$bin/kplan-validate" --schema "$dir/facilities.schema.json" "$book"
xrun "kplan-validate (no schema)" "$book_rows" "$book" "$bin/kplan-validate" "$book"
xrun "kplan-validate --schema, 4x" "$((book_rows * 4))" "$book4" "$bin/kplan-validate" --schema "$dir/facilities.schema.json" "$book4"
xrun "openpyxl read-only" "$book_rows" "$book" "$py" -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for row in wb.active.iter_rows(values_only=True):
    n += 1
print(n)' "$book"
if command -v ssconvert >/dev/null; then
	xrun "ssconvert to CSV" "$book_rows" "$book" ssconvert --export-type=Gnumeric_stf:stf_csv "$book" "$dir/ssconvert.csv"
else
	echo "ssconvert (gnumeric) not installed: ci/deps.sh bench installs it"
fi
