#!/bin/sh
# Workbooks: kplan-validate and kplan-export read .xlsx directly.  The workbooks are made
# by tests/xlsx/make.py (part by part, and one with openpyxl); this checks the values as
# Excel shows them (the exported CSV, byte for byte), the Excel rules with their
# positions (Sheet!B7), every visible sheet as a table, and hostile packages: each one a
# clear finding and exit 1, in bounded time and memory.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
PY=${KPLAN_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
v="$KPLAN_BIN/kplan-validate"
x="$KPLAN_BIN/kplan-export"
"$PY" -c 'import openpyxl' 2>/dev/null || fail "python3-openpyxl is missing ($PY)"
"$PY" "$KPLAN_TOP/tests/xlsx/make.py" "$work/xl"
xl=$work/xl

# --- values, exported from the workbook: what Excel shows ---------------------------
mkdir "$work/values"
cp "$xl/values.xlsx" "$work/values/"
"$PY" - "$work/values/datapackage.json" <<'PY'
import json, sys
names = ['ID', '名称', '開設日', '時刻', '日時', '人数', '比率', '有効', '備考']
d = {"name": "values", "licenses": [{"name": "CC-BY-4.0"}],
     "dcat": {"landing_page": "https://example.jp/d", "download_base": "https://example.jp/f/"},
     "resources": [{"name": "values", "path": "values.xlsx", "sheet": 1,
                    "schema": {"fields": [{"name": n, "type": "any"} for n in names]}}]}
json.dump(d, open(sys.argv[1], "w"), ensure_ascii=False)
PY
"$x" --package "$work/values" -o "$work/values/out" --format all --no-bom --eol lf \
	--header names 2>"$work/err" || fail "export values: $(cat "$work/err")"
printf '%s\n' \
	'ID,名称,開設日,時刻,日時,人数,比率,有効,備考' \
	'1,金沢市役所,2024-04-01,12:00:00,2024-04-01T18:00:00,0.3,0.05,TRUE,' \
	'2,兼六園,1900-03-01,00:00:00,1.5,0.001,1.23456789012346e+19,FALSE,"改行' \
	'あり"' \
	'3,近江町市場,1900-02-28,06:00:00,2024-04-01,0,100,,' \
	'4,金沢市役所,9999-12-31,,2024-04-01,,,,' >"$work/want.csv"
cmp "$work/want.csv" "$work/values/out/values.csv" ||
	fail "values: $(diff "$work/want.csv" "$work/values/out/values.csv")"
grep -q 'line-break L1-07.*施設一覧!I3' "$work/err" || fail "line break: $(cat "$work/err")"
# the published package describes the CSV, not the workbook
grep -q '"sheet"' "$work/values/out/datapackage.json" && fail "sheet left in the output"
grep -q '"path": "values.csv"' "$work/values/out/datapackage.json" || fail "output path"

# the 1904 date system: serial 0 is 1904-01-01
mkdir "$work/d1904"
cp "$xl/date1904.xlsx" "$work/d1904/"
sed -e 's/values.xlsx/date1904.xlsx/' -e 's/"name": "values"/"name": "d1904"/g' \
	"$work/values/datapackage.json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d["resources"][0]["schema"] = {"fields": [{"name": "日付", "type": "date"}, {"name": "値", "type": "integer"}]}
print(json.dumps(d, ensure_ascii=False))' >"$work/d1904/datapackage.json"
"$x" --package "$work/d1904" -o "$work/d1904/out" --format csv --no-bom --eol lf --header names \
	2>"$work/err" || fail "export 1904: $(cat "$work/err")"
printf '日付,値\n1904-01-01,1\n2024-04-01,2\n' | cmp - "$work/d1904/out/d1904.csv" ||
	fail "1904: $(cat "$work/d1904/out/d1904.csv")"

# a sheet of 4,000 rows (rows cut across parse chunks come out whole)
mkdir "$work/long"
cp "$xl/long.xlsx" "$work/long/"
sed -e 's/values.xlsx/long.xlsx/' -e 's/"name": "values"/"name": "long"/g' \
	"$work/values/datapackage.json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d["resources"][0]["schema"] = {"fields": [{"name": n} for n in ["番号", "名称", "所在地", "数値"]]}
print(json.dumps(d, ensure_ascii=False))' >"$work/long/datapackage.json"
"$x" --package "$work/long" -o "$work/long/out" --format csv --no-bom --eol lf --header names \
	2>"$work/err" || fail "export long: $(cat "$work/err")"
cmp "$xl/long.csv" "$work/long/out/long.csv" || fail "long: $(diff "$xl/long.csv" "$work/long/out/long.csv" | head)"

# --- formulas, error values, blank rows, spaces, the Lotus leap day ------------------
rc=0
"$v" --format json "$xl/formulas.xlsx" >"$work/f.json" || rc=$?
[ "$rc" = 1 ] || fail "formulas: exit $rc"
q() { jq -r "$1" "$work/f.json"; }
[ "$(q '[.tables[0].errors[] | select(.code=="formula")] | length')" = 1 ] || fail "formulas: one finding"
[ "$(q '.tables[0].errors[] | select(.code=="formula") | .ref')" = '集計!C2' ] || fail "formula ref"
q '.tables[0].errors[] | select(.code=="formula") | .message' | grep -q 'C2 (=B2\*2), C3, C5' ||
	fail "formula cells: $(q '.tables[0].errors[] | select(.code=="formula") | .message')"
[ "$(q '.tables[0].errors[] | select(.code=="formula-error") | .ref')" = '集計!D3' ] || fail "#REF!"
[ "$(q '.tables[0].errors[] | select(.code=="blank-row") | .row')" = 4 ] || fail "gap row"
[ "$(q '.tables[0].errors[] | select(.code=="padding-space") | .cell')" = '  前後に空白  ' ] ||
	fail "xml:space"
[ "$(q '.tables[0].errors[] | select(.code=="type-error") | .cell')" = 1900-02-29 ] ||
	fail "serial 60 is Lotus' 1900-02-29, no date"
[ "$(q '.tables[0].sheet')" = 集計 ] || fail "table sheet"
# an export of it writes nothing
mkdir "$work/fx"
cp "$xl/formulas.xlsx" "$work/fx/"
sed -e 's/values.xlsx/formulas.xlsx/' "$work/values/datapackage.json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d["resources"][0]["schema"] = {"fields": [{"name": n} for n in ["ID", "数量", "倍", "備考", "日付"]]}
print(json.dumps(d, ensure_ascii=False))' >"$work/fx/datapackage.json"
rc=0
"$x" --package "$work/fx" -o "$work/fx/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "export with formulas: exit $rc"
[ ! -e "$work/fx/out" ] || [ -z "$(ls "$work/fx/out")" ] || fail "export with formulas wrote files"

# --- the Excel rules ---------------------------------------------------------------
rc=0
"$v" --format json "$xl/structure.xlsx" >"$work/s.json" || rc=$?
[ "$rc" = 1 ] || fail "structure: exit $rc"
for want in 'merged-cell L1-12 施設!A2' 'hidden-row L1-13 施設!4:4' 'object L1-10 施設!B4' \
	'format-as-meaning L1-11 施設!D4' 'number-as-text L2-01 施設!C4' 'comment L1-04 施設!C5'; do
	set -- $want
	got=$(jq -r --arg c "$1" '[.tables[0].errors[], .tables[0].warnings[]] | map(select(.code==$c))
		| map("\(.code) \(.rule) \(.ref)") | .[]' "$work/s.json")
	[ "$got" = "$want" ] || fail "structure: want '$want', got '$got'"
done
jq -e '.tables[0].errors[] | select(.code=="hidden-column" and .column==3 and .sheet=="施設")' \
	"$work/s.json" >/dev/null || fail "hidden column C"
jq -e '.tables[0].warnings[] | select(.code=="hidden-sheet" and .sheet=="作業用")' "$work/s.json" \
	>/dev/null || fail "hidden sheet"
jq -e '.tables[0].warnings[] | select(.code=="macros")' "$work/s.json" >/dev/null || fail "macros"
# the text box beside the table is allowed (harunobu's OK-01): one object finding only
[ "$(jq '[.tables[0].errors[] | select(.code=="object")] | length' "$work/s.json")" = 1 ] ||
	fail "objects"
[ "$(jq '.tables | length' "$work/s.json")" = 1 ] || fail "the hidden sheet is not a table"
# the text report names the cell as Sheet!B7 beside row and column
"$v" "$xl/structure.xlsx" >"$work/s.txt" || true
grep -q '^kplan-validate: .*structure.xlsx:4:2: error: \[object L1-10\] .*(施設!B4' "$work/s.txt" ||
	fail "text position: $(grep object "$work/s.txt")"

# text around numbers in a number column is one error per column; codes with leading
# zeros are text, not numbers stored as text; a date typed as text among dates
rc=0
"$v" --format json "$xl/numbers.xlsx" >"$work/n.json" || rc=$?
[ "$rc" = 1 ] || fail "numbers: exit $rc"
[ "$(jq -r '[.tables[0].errors[] | "\(.code) \(.rule) \(.ref)"] | join(",")' "$work/n.json")" = \
	'text-in-number-column L2-01 費用!C3' ] || fail "numbers: $(jq -c '.tables[0].errors' "$work/n.json")"
[ "$(jq -r '[.tables[0].warnings[] | "\(.code) \(.ref)"] | join(",")' "$work/n.json")" = \
	'date-as-text 費用!D4' ] || fail "numbers: $(jq -c '.tables[0].warnings' "$work/n.json")"
[ "$(jq -r '.tables[0].score | "\(.L1) \(.L2) \(.failed["L2-01"])"' "$work/n.json")" = '100 0 FATAL' ] ||
	fail "score: $(jq -c '.tables[0].score' "$work/n.json")"

# headers of several rows: one finding each, no flood of blank labels or number findings
"$v" --format json "$xl/headers.xlsx" >"$work/h.json" || true
codes() { jq -r --arg s "$1" '.tables[] | select(.sheet==$s) | [.errors[], .warnings[]]
	| map("\(.code) \(.rule)") | join(",")' "$work/h.json"; }
[ "$(codes 見出し)" = 'title-row L3-01,merged-cell L2-03,no-unit L3-04' ] || fail "heading: $(codes 見出し)"
jq -r '.tables[0].errors[] | select(.code=="merged-cell") | .message' "$work/h.json" |
	grep -q "the header spans rows 1-2: 1 merged heading .*B1:C1 '財務情報'" || fail "heading message"
# (the units row is no data: the bold C3 is one of the column's 2 data cells, not 3)
[ "$(codes 単位行)" = 'multi-row-header L2-03,format-as-meaning L1-11' ] || fail "units row: $(codes 単位行)"
jq -r '.tables[] | select(.sheet=="単位行") | .warnings[0].message' "$work/h.json" |
	grep -q '1 of 2 cells are bold (first C3)' || fail "units row facts"
[ "$(codes 結合)" = 'merged-cell L2-03,no-unit L3-04' ] || fail "covered label: $(codes 結合)"

# every visible sheet is a table; --sheet picks one by name or number
"$v" --format json "$xl/two-sheets.xlsx" >"$work/t.json"
[ "$(jq -r '[.tables[].sheet] | join(",")' "$work/t.json")" = '令和5年度,令和6年度' ] ||
	fail "two sheets: $(jq -c '[.tables[].sheet]' "$work/t.json")"
[ "$("$v" --format json --sheet 2 "$xl/two-sheets.xlsx" | jq -r '[.tables[].sheet] | join(",")')" = 令和6年度 ] ||
	fail "--sheet 2"
rc=0
"$v" --sheet 集計 "$xl/two-sheets.xlsx" >/dev/null 2>"$work/err" || rc=$?
[ "$rc" = 2 ] || fail "unknown sheet: exit $rc"
grep -q "no sheet '集計'.*'令和5年度', '令和6年度'" "$work/err" || fail "unknown sheet: $(cat "$work/err")"

# a workbook written by openpyxl: inline strings, absolute part names, date styles
"$v" --format json "$xl/openpyxl.xlsx" >"$work/o.json" || fail "openpyxl: $(jq -c '.tables[0].errors' "$work/o.json")"
[ "$(jq '.tables[0].stats.rows' "$work/o.json")" = 3 ] || fail "openpyxl rows"
# kplan-describe drafts the schema of a sheet: the dates are dates
"$KPLAN_BIN/kplan-describe" "$xl/openpyxl.xlsx" >"$work/o.schema.json" || fail "describe xlsx"
[ "$(jq -r '.fields[] | select(.name=="ID") | .type' "$work/o.schema.json")" = string ] || fail "ID stays text"
[ "$(jq -r '.fields[] | select(.name=="緯度") | .type' "$work/o.schema.json")" = number ] || fail "number"

# the officer's path: describe the workbook as a package, fill in the portal's two
# addresses, validate and export it; --sheet picks another sheet of the same resource
mkdir "$work/officer"
cp "$xl/openpyxl.xlsx" "$work/officer/toilets.xlsx"
(cd "$work/officer" && "$KPLAN_BIN/kplan-describe" --package -o datapackage.json toilets.xlsx) ||
	fail "describe --package"
[ "$(jq -r '.resources[0] | "\(.format) \(.sheet) \(.path)"' "$work/officer/datapackage.json")" = \
	'xlsx 公衆トイレ一覧 toilets.xlsx' ] || fail "describe resource: $(jq -c '.resources[0] | del(.schema)' "$work/officer/datapackage.json")"
jq '.name = "toilets" | .dcat.landing_page = "https://example.jp/d" | .dcat.download_base = "https://example.jp/f/"' \
	"$work/officer/datapackage.json" >"$work/officer/p.json" && mv "$work/officer/p.json" "$work/officer/datapackage.json"
"$v" --package "$work/officer" >/dev/null || fail "validate the described package"
"$x" --package "$work/officer" -o "$work/officer/out" --format all --no-bom --eol lf --header names \
	2>"$work/err" || fail "export the described package: $(cat "$work/err")"
printf 'ID,名称,設置日,利用可能時間,多目的トイレ有無,緯度,経度\n001,広坂公衆トイレ,2020-04-01,24時間,有,36.5613,136.6562\n' >"$work/want2"
head -n 2 "$work/officer/out/toilets.csv" | cmp - "$work/want2" ||
	fail "exported toilets: $(head -n 2 "$work/officer/out/toilets.csv")"
rapper -q -i rdfxml "$work/officer/out/toilets.rdf" >/dev/null 2>&1 || fail "the RDF does not parse"
mkdir "$work/two"
cp "$xl/two-sheets.xlsx" "$work/two/"
sed -e 's/values.xlsx/two-sheets.xlsx/' -e 's/"name": "values"/"name": "two"/g' \
	"$work/values/datapackage.json" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
d["resources"][0]["schema"] = {"fields": [{"name": "コード", "type": "integer"}, {"name": "名称"}]}
print(json.dumps(d, ensure_ascii=False))' >"$work/two/datapackage.json"
"$x" --package "$work/two" -o "$work/two/out" --format csv --no-bom --eol lf --header names \
	--sheet 令和6年度 2>"$work/err" || fail "export --sheet: $(cat "$work/err")"
printf 'コード,名称\n1,い\n' | cmp - "$work/two/out/two.csv" || fail "export --sheet: $(cat "$work/two/out/two.csv")"

# --- hostile and wrong files: one finding, exit 1, no hang, bounded memory ----------
# (ASan's shadow memory and quarantine multiply the peak: the bounds are 3x there)
scale=1
nm "$v" 2>/dev/null | grep -q __asan_init && scale=3
peak() {
	"$PY" -c '
import resource, subprocess, sys
try:
    rc = subprocess.call(sys.argv[1:], stdout=open(sys.argv[-1] + ".out", "w"), timeout=60)
except subprocess.TimeoutExpired:
    rc = "timeout"
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
' "$@"
}
while read -r file code pattern; do
	set -- $(peak "$v" --format json "$xl/$file")
	[ "$2" = 1 ] || fail "$file: exit $2"
	[ "$1" -lt $((200000 * scale)) ] || fail "$file: peak RSS $1 kB"
	got=$(jq -r '[.tables[].errors[], .tables[].warnings[]] | map("\(.code) \(.message)") | .[]' \
		"$xl/$file.out")
	echo "$got" | grep -q "^$code .*$pattern" || fail "$file: want $code '$pattern', got: $got"
done <<'EOF'
bomb.xlsx workbook-error zip bomb, refused
entities.xlsx workbook-error declares a DOCTYPE
sheet-entities.xlsx workbook-error xl/worksheets/sheet1.xml
escape-rel.xlsx workbook-error names a part outside the package
wide.xlsx workbook-error past XFD
million-columns.xlsx workbook-error more than 16,384 cells
truncated.xlsx workbook-error zip package is damaged
crc.xlsx workbook-error CRC error
report.xlsx file-format this is a PDF
old.xls file-format Excel 97-2003 workbook
locked.xlsx file-format protected by a password
sheet.ods file-format OpenDocument
letter.xlsx file-format holds no worksheet
EOF
# the entity was never expanded nor the external one read
grep -q 'lollol\|root:' "$xl/sheet-entities.xlsx.out" && fail "an entity was expanded"
# names outside the package are reported and never read; the sheet is still checked
"$v" --format json "$xl/escape.xlsx" >"$work/e.json" || fail "escape.xlsx: exit $?"
jq -e '.tables[0].warnings[] | select(.code=="workbook-error" and (.message | test("outside the package")))' \
	"$work/e.json" >/dev/null || fail "escape entries"
# a 10 MB shared-string table: read, in bounded memory
set -- $(peak "$v" --format json "$xl/big-strings.xlsx")
[ "$2" = 0 ] || fail "big strings: exit $2"
[ "$1" -lt $((120000 * scale)) ] || fail "big strings: peak RSS $1 kB"
echo "xlsx: values, dates, rules, sheets and 13 hostile files checked"
