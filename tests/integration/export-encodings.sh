#!/bin/sh
# Encodings end to end: a package whose tables are CP932 (declared in the resource, or
# not), EUC-JP and UTF-16 validates and exports; every output is UTF-8 and says what the
# UTF-8 original would; --encoding overrides the resource.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$work/pkg" "$work/utf8"
printf 'id,name\r\n1,金沢市役所\r\n2,ひがし茶屋街と主計町\r\n' >"$work/table.csv"
iconv -f UTF-8 -t CP932 "$work/table.csv" >"$work/pkg/declared.csv"
iconv -f UTF-8 -t CP932 "$work/table.csv" >"$work/pkg/guessed.csv"
iconv -f UTF-8 -t EUC-JP "$work/table.csv" >"$work/pkg/euc.csv"
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$work/table.csv"; } >"$work/pkg/utf16.csv"
for n in declared guessed euc utf16; do cp "$work/table.csv" "$work/utf8/$n.csv"; done
res() { printf '{"name": "%s", "path": "%s.csv"%s, "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "name", "type": "string"}], "primaryKey": ["id"]}}' "$1" "$1" "$2"; }
cat >"$work/pkg/datapackage.json" <<JSON
{"name": "enc", "resources": [$(res declared ', "encoding": "cp932"'), $(res guessed ''), $(res euc ''), $(res utf16 '')]}
JSON
sed 's/, "encoding": "cp932"//' "$work/pkg/datapackage.json" >"$work/utf8/datapackage.json"
v="$KPLAN_BIN/kplan-validate" x="$KPLAN_BIN/kplan-export"
rc=0
"$v" --package "$work/pkg" --format json >"$work/report.json" 2>"$work/err" || rc=$?
[ "$rc" = 0 ] || fail "validate: exit $rc: $(cat "$work/err" "$work/report.json")"
for e in cp932 CP932 EUC-JP UTF-16; do
	grep -q "\"encoding\": \"$e\"" "$work/report.json" || fail "no table read as $e: $(cat "$work/report.json")"
done
[ "$(grep -c '"code": "encoding"' "$work/report.json")" = 3 ] || fail "one L3-08 warning per undeclared table"
"$x" --package "$work/pkg" -o "$work/out" --format csv,json 2>"$work/err" || fail "export: $(cat "$work/err")"
"$x" --package "$work/utf8" -o "$work/want" --format csv,json 2>"$work/err" || fail "export (UTF-8): $(cat "$work/err")"
for n in declared guessed euc utf16; do
	for ext in csv json; do
		cmp -s "$work/want/$n.$ext" "$work/out/$n.$ext" || fail "$n.$ext differs from the UTF-8 export"
	done
done
# --encoding overrides the resource: read as UTF-8, the CP932 bytes are errors
rc=0
"$x" --package "$work/pkg" -o "$work/out2" --format csv --encoding utf-8 >"$work/out.txt" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "--encoding utf-8: exit $rc"
grep -q 'encoding-error' "$work/err" || fail "--encoding utf-8: $(cat "$work/err")"
[ ! -e "$work/out2" ] || fail "--encoding utf-8: OUT was created"
