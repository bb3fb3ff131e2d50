#!/bin/sh
# kplan-validate --format html: a report for people, tried in a real browser.
#  - headless Chromium (Debian's, driven by npm playwright-core) loads it from disk: it
#    shows as many findings as the JSON report holds, the offending cells outlined, in
#    the locale's language; it loads nothing (no request but itself, no script); a
#    screenshot of the whole page is taken (kept in build/html-report/);
#  - axe-core (npm) finds no accessibility violation (WCAG 2.1 A/AA, best practice);
#  - tidy finds the HTML valid; hostile cells stay text; -o writes whole or not at all.
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
unset LC_ALL LANGUAGE LANG LC_MESSAGES
command -v chromium >/dev/null || fail "chromium is missing (Debian package chromium)"
command -v tidy >/dev/null || fail "tidy is missing (Debian package tidy)"
command -v npm >/dev/null || fail "npm is missing (Debian package nodejs)"
tools=$top/build/npm-html
if [ ! -d "$tools/node_modules/axe-core" ] || [ ! -d "$tools/node_modules/playwright-core" ]; then
	mkdir -p "$tools"
	(cd "$tools" && npm install --no-audit --no-fund --silent playwright-core@1.65.1 \
		axe-core@4.14.1 >"$work/npm.log" 2>&1) || fail "npm install: $(tail -5 "$work/npm.log")"
fi
export KPLAN_NODE_TOOLS="$tools"
shots=$top/build/html-report
mkdir -p "$shots"
v="$bin/kplan-validate"

# a table with problems of many kinds, saved as Excel saves CSV (CP932), and cells
# that try to break out of the page
cat >"$work/t.utf8.csv" <<'CSV'
番号,名称,定員,備考
1,ひまわり保育園,120,
2,ｱｵｿﾞﾗ保育園,"1,500",①
x,さくら保育園,30,"<script>alert(1)</script>"
4,もみじ保育園,40,"""><img src=x onerror=alert(2)>"
4,かえで保育園,50,  
CSV
iconv -f UTF-8 -t CP932 "$work/t.utf8.csv" >"$work/t.csv"
cat >"$work/t.schema.json" <<'JSON'
{"fields": [
 {"name": "番号", "type": "integer", "constraints": {"required": true, "unique": true}},
 {"name": "名称", "type": "string"},
 {"name": "定員", "type": "number"},
 {"name": "備考", "type": "string"}]}
JSON

check() { # check NAME: the browser's view of $work/NAME.html as $work/NAME.view
	tidy -q -e "$work/$1.html" >"$work/$1.tidy" 2>&1 || fail "$1: tidy: $(head -5 "$work/$1.tidy")"
	node "$top/tests/html/check-report.mjs" "$work/$1.html" "$shots/$1.png" >"$work/$1.view" \
		2>"$work/$1.node" || fail "$1: the browser: $(tail -5 "$work/$1.node")"
	[ -s "$shots/$1.png" ] || fail "$1: no screenshot"
	jq -e '.requests == [] and .consoleErrors == [] and .scripts == 0' "$work/$1.view" >/dev/null ||
		fail "$1: the page loads or runs something: $(cat "$work/$1.view")"
	jq -e '.violations == []' "$work/$1.view" >/dev/null ||
		fail "$1: axe-core finds accessibility violations: $(jq -c .violations "$work/$1.view")"
	jq -e '.csp | test("default-src .none.")' "$work/$1.view" >/dev/null || fail "$1: no CSP"
}

# Japanese, from the locale
env LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --format html -o "$work/ja.html" --schema "$work/t.schema.json" "$work/t.csv" \
	2>"$work/ja.err" && fail "an invalid table exits 0"
grep -q '不適合' "$work/ja.err" || fail "stderr does not say the verdict: $(cat "$work/ja.err")"
env LC_ALL=C.UTF-8 "$v" --format json --schema "$work/t.schema.json" "$work/t.csv" >"$work/t.json" || true
want=$(jq '[.tables[] | (.errors + .warnings + .infos) | length] | add' "$work/t.json")
[ "$want" -ge 6 ] || fail "the table should have several findings, the JSON has $want"
check ja
jq -e --argjson n "$want" '.lang == "ja" and .listed == $n and .counted == $n and .total == $n' \
	"$work/ja.view" >/dev/null || fail "the page shows other counts than the JSON report ($want): $(cat "$work/ja.view")"
jq -e '.outlined >= 3 and .valid == "false" and (.verdict | test("エラー"))' "$work/ja.view" >/dev/null ||
	fail "no outlined cells or no Japanese verdict: $(cat "$work/ja.view")"
grep -q '機種依存文字を使用していないか' "$work/ja.html" || fail "the rule's own title is missing"
grep -q '直し方' "$work/ja.html" || fail "no fix"
grep -q 'CP932' "$work/ja.html" || fail "the file's encoding is not stated"
sha=$(sha256sum "$work/t.csv" | cut -c1-64)
grep -q "$sha" "$work/ja.html" || fail "the file's SHA-256 is not stated"
# hostile cells are text: no element came from them
[ "$(xmllint --html --xpath 'count(//script|//img)' "$work/ja.html" 2>/dev/null)" = 0 ] ||
	fail "a cell became markup"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$work/ja.html" || fail "the cell's text is not shown escaped"

# English in the C locale; the same findings
env LC_ALL=C.UTF-8 "$v" --format html -o "$work/en.html" --schema "$work/t.schema.json" "$work/t.csv" 2>/dev/null || true
check en
jq -e --argjson n "$want" '.lang == "en" and .listed == $n' "$work/en.view" >/dev/null ||
	fail "English page: $(cat "$work/en.view")"
grep -q 'Are platform-dependent characters avoided' "$work/en.html" || fail "English rule title"
# the same input gives the same bytes (no date in the page)
env LC_ALL=C.UTF-8 "$v" --format html --schema "$work/t.schema.json" "$work/t.csv" >"$work/en2.html" 2>/dev/null || true
cmp -s "$work/en.html" "$work/en2.html" || fail "the page differs between two runs (or between -o and stdout)"

# a valid table, a workbook and several tables in one page
printf '番号,名称,定員（人）\r\n1,ひまわり保育園,120\r\n2,あおぞら保育園,90\r\n' >"$work/ok.csv"
env LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --format html -o "$work/ok.html" "$work/ok.csv" 2>/dev/null ||
	fail "a valid table exits non-zero"
check ok
jq -e '.valid == "true" and .listed == 0' "$work/ok.view" >/dev/null || fail "valid page: $(cat "$work/ok.view")"
if "${KPLAN_PYTHON:-python3}" -c 'import openpyxl' 2>/dev/null; then
	"${KPLAN_PYTHON:-python3}" - "$work/book.xlsx" <<'PY'
import sys, openpyxl
from openpyxl.styles import PatternFill
wb = openpyxl.Workbook(); ws = wb.active; ws.title = "施設"
ws.append(["番号", "名称", "定員"]); ws.append([1, "ひまわり保育園", 120]); ws.append([2, "あおぞら保育園", "=B2"])
ws.merge_cells("B4:C4"); ws["A4"] = 3; ws["B4"] = "さくら保育園"
ws["C3"].fill = PatternFill("solid", fgColor="FFFF00")
wb.save(sys.argv[1])
PY
	env LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --format html -o "$work/book.html" "$work/book.xlsx" "$work/ok.csv" 2>/dev/null || true
	check book
	jq -e '.listed >= 2 and .outlined >= 1' "$work/book.view" >/dev/null || fail "workbook page: $(cat "$work/book.view")"
	grep -q 'sheet-ref\|施設!' "$work/book.html" || fail "the workbook's cells are not named Sheet!B7"
	[ "$(xmllint --html --xpath 'count(//section[@class="table"])' "$work/book.html" 2>/dev/null)" = 2 ] ||
		fail "two tables, not two sections"
fi

# kplan-export --report: the findings that stop an export, the same way
mkdir "$work/pkg"
cp "$work/t.csv" "$work/pkg/t.csv"
(cd "$work/pkg" && "$bin/kplan-describe" --package t.csv -o datapackage.json 2>/dev/null) ||
	fail "kplan-describe --package"
env LC_ALL=C.UTF-8 LANGUAGE=ja "$bin/kplan-export" --package "$work/pkg/datapackage.json" \
	-o "$work/pkg/out" --report "$work/export.html" 2>"$work/export.err" && fail "an invalid export exits 0"
[ ! -e "$work/pkg/out" ] || fail "an invalid export wrote its output"
check export
n=$(grep -c '^kplan-export: .*: \(エラー\|警告\|情報\): \[' "$work/export.err")
jq -e --argjson n "$n" '.listed == $n and .counted == $n and .lang == "ja" and .outlined >= 1' \
	"$work/export.view" >/dev/null || fail "the export's page does not show its $n findings: $(cat "$work/export.view")"

# the Digital Agency's own test tables (harunobu's fixtures: 21 workbooks and CSVs of
# every rule's failures), all in one page
set -- "$top"/tests/peer/harunobu/*.xlsx "$top"/tests/peer/harunobu/*.csv
env LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --format html -o "$work/harunobu.html" "$@" 2>/dev/null || true
env LC_ALL=C.UTF-8 "$v" --format json "$@" >"$work/harunobu.json" 2>/dev/null || true
n=$(jq '[.tables[] | (.errors + .warnings + .infos) | length] | add' "$work/harunobu.json")
check harunobu
jq -e --argjson n "$n" --argjson t "$#" '.counted == $n and .total == $n and .listed <= $n and .outlined > 0' \
	"$work/harunobu.view" >/dev/null || fail "harunobu's tables: the page shows other counts than the JSON ($n): $(cat "$work/harunobu.view")"
[ "$(xmllint --html --xpath 'count(//section[@class="table"])' "$work/harunobu.html" 2>/dev/null)" -ge "$#" ] ||
	fail "harunobu's tables: not one section per table"
[ "$(xmllint --html --xpath 'count(//nav//tbody/tr)' "$work/harunobu.html" 2>/dev/null)" = \
	"$(xmllint --html --xpath 'count(//section[@class="table"])' "$work/harunobu.html" 2>/dev/null)" ] ||
	fail "harunobu's tables: the list of tables at the top does not name each one"

# standard input: a report without the rows
env LC_ALL=C.UTF-8 "$v" --format html --schema "$work/t.schema.json" - <"$work/t.utf8.csv" >"$work/stdin.html" 2>/dev/null || true
grep -q 'read from standard input' "$work/stdin.html" || fail "a table from stdin: no word why the rows are missing"
# -o: whole or nothing
mkdir "$work/ro" && chmod 555 "$work/ro"
if [ "$(id -u)" != 0 ]; then
	env LC_ALL=C.UTF-8 "$v" --format html -o "$work/ro/r.html" "$work/ok.csv" 2>"$work/ro.err" && fail "-o into a read-only folder exits 0"
	[ ! -e "$work/ro/r.html" ] || fail "a file was left in the read-only folder"
fi
env LC_ALL=C.UTF-8 "$v" --format html -o "$work/no/such/dir/r.html" "$work/ok.csv" 2>"$work/nodir.err" &&
	fail "-o into a missing folder exits 0"
grep -q 'io-error' "$work/nodir.err" || fail "-o failure: $(cat "$work/nodir.err")"
env LC_ALL=C.UTF-8 "$v" -o "$work/x.txt" "$work/ok.csv" 2>/dev/null && fail "-o with the text format is accepted"
echo "html-report: $want findings shown as in the JSON, Japanese and English, tidy-valid, no axe violations, nothing loaded; screenshots in build/html-report"
