#!/bin/sh
# Japanese for people, English for machines.
#  1. po/ja.po is complete: every message in the sources (xgettext, as `make pot`) has a
#     translation, none fuzzy, and msgfmt --check accepts it.
#  2. The locale decides: LANGUAGE, LANG and LC_MESSAGES each turn the tools Japanese
#     (ja_JP.UTF-8 made with localedef into a folder of the test's own, LOCPATH).
#  3. What machines read never changes: the JSON report, exit status, codes and the
#     exported files are byte-identical in English and Japanese, and LC_NUMERIC (a
#     decimal comma) never changes how numbers are read.
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# each run below sets its own locale
unset LC_ALL LANGUAGE LANG LC_MESSAGES LC_CTYPE LC_NUMERIC

# 1. completeness
make -s -C "$top" BUILD="$work/b" "$work/b/kplan.pot" >/dev/null
n=$(grep -c '^msgid ' "$work/b/kplan.pot")
[ "$n" -gt 500 ] || fail "the template holds only $n messages: is extraction broken?"
msgcmp --use-untranslated "$top/po/ja.po" "$work/b/kplan.pot" 2>"$work/msgcmp" ||
	fail "po/ja.po lacks messages of the sources (run make po-update and translate): $(head -5 "$work/msgcmp")"
msgcmp "$top/po/ja.po" "$work/b/kplan.pot" 2>"$work/msgcmp" ||
	fail "po/ja.po has untranslated messages: $(grep -c untranslated "$work/msgcmp") ($(head -3 "$work/msgcmp"))"
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$top/po/ja.po" | grep -c '^msgid ' || true)
[ "$fuzzy" -eq 0 ] || fail "po/ja.po has $fuzzy fuzzy messages"
msgfmt --check -o /dev/null "$top/po/ja.po" 2>"$work/msgfmt" || fail "msgfmt --check: $(head -3 "$work/msgfmt")"
# an obsolete entry is a message the sources no longer have: keep the file clean
obsolete=$(grep -c '^#~ msgid' "$top/po/ja.po" || true)
[ "$obsolete" -eq 0 ] || fail "po/ja.po keeps $obsolete obsolete messages (msgattrib --no-obsolete)"

# a table with problems of several kinds, and its schema
cat >"$work/t.csv" <<'CSV'
番号,名称,定員
1,ひまわり保育園,120
2,ｱｵｿﾞﾗ保育園,1,500
x,さくら保育園,
CSV
cat >"$work/t.schema.json" <<'JSON'
{"fields": [
 {"name": "番号", "type": "integer", "constraints": {"required": true}},
 {"name": "名称", "type": "string"},
 {"name": "定員", "type": "number"}]}
JSON
v="$bin/kplan-validate"
run() { # run NAME ENV... -- ARGS: stdout, stderr and status into $work/NAME.*
	name=$1; shift
	set +e
	env "$@" >"$work/$name.out" 2>"$work/$name.err"
	echo $? >"$work/$name.rc"
	set -e
}
en="LC_ALL=C.UTF-8"
run en-text $en "$v" --schema "$work/t.schema.json" "$work/t.csv"
run ja-text LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --schema "$work/t.schema.json" "$work/t.csv"
grep -q 'error: \[type-error\]' "$work/en-text.out" || fail "English run: $(head -3 "$work/en-text.out")"
grep -q 'エラー: \[type-error\]' "$work/ja-text.out" || fail "LANGUAGE=ja gives no Japanese finding: $(head -3 "$work/ja-text.out")"
grep -q '整数ではありません' "$work/ja-text.out" || fail "the message is not translated: $(grep type-error "$work/ja-text.out")"
grep -q '不適合' "$work/ja-text.out" || fail "the summary is not translated: $(tail -2 "$work/ja-text.out")"
grep -q '半角カタカナ' "$work/ja-text.out" || fail "a table's text (the character's kind) is not translated"
cmp -s "$work/en-text.rc" "$work/ja-text.rc" || fail "exit status changes with the language"
# the codes, rule ids and positions are the same, line for line
sed -n 's/^kplan-validate: \([^ ]*\) [^ ]* \(\[[^]]*\]\).*/\1 \2/p' "$work/en-text.out" >"$work/en.pos"
sed -n 's/^kplan-validate: \([^ ]*\) [^ ]* \(\[[^]]*\]\).*/\1 \2/p' "$work/ja-text.out" >"$work/ja.pos"
[ -s "$work/en.pos" ] && cmp -s "$work/en.pos" "$work/ja.pos" || fail "codes or positions differ: $(diff "$work/en.pos" "$work/ja.pos" | head -5)"
grep -q 'U+' "$work/ja-text.out" && ! grep -q ' at character ' "$work/ja-text.out" || fail "English left in a Japanese finding"

# JSON: byte-identical in every language
run en-json $en "$v" --format json --schema "$work/t.schema.json" "$work/t.csv"
run ja-json LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --format json --schema "$work/t.schema.json" "$work/t.csv"
cmp -s "$work/en-json.out" "$work/ja-json.out" || fail "the JSON report changes with LANGUAGE=ja: $(diff "$work/en-json.out" "$work/ja-json.out" | head -4)"
cmp -s "$work/en-json.rc" "$work/ja-json.rc" || fail "JSON exit status changes with the language"
jq -e '.tables[0].errors | length > 0' "$work/ja-json.out" >/dev/null || fail "no errors in the JSON report"

# LANG and LC_MESSAGES decide too, with a real ja_JP.UTF-8 locale (localedef into LOCPATH)
loc="$work/locale"
mkdir -p "$loc"
localedef -i ja_JP -f UTF-8 "$loc/ja_JP.UTF-8" 2>/dev/null || [ -d "$loc/ja_JP.UTF-8" ] ||
	fail "localedef could not make ja_JP.UTF-8 (package locales)"
localedef -i de_DE -f UTF-8 "$loc/de_DE.UTF-8" 2>/dev/null || [ -d "$loc/de_DE.UTF-8" ] ||
	fail "localedef could not make de_DE.UTF-8 (package locales)"
run lang LOCPATH="$loc" LANG=ja_JP.UTF-8 "$v" --schema "$work/t.schema.json" "$work/t.csv"
grep -q 'エラー: \[type-error\]' "$work/lang.out" || fail "LANG=ja_JP.UTF-8 gives no Japanese: $(head -2 "$work/lang.out")"
run lcmsg LOCPATH="$loc" LANG=C.UTF-8 LC_MESSAGES=ja_JP.UTF-8 "$v" --schema "$work/t.schema.json" "$work/t.csv"
grep -q 'エラー: \[type-error\]' "$work/lcmsg.out" || fail "LC_MESSAGES=ja_JP.UTF-8 gives no Japanese: $(head -2 "$work/lcmsg.out")"
run cmsg LOCPATH="$loc" LANG=ja_JP.UTF-8 LC_MESSAGES=C "$v" --schema "$work/t.schema.json" "$work/t.csv"
grep -q 'error: \[type-error\]' "$work/cmsg.out" || fail "LC_MESSAGES=C does not keep English: $(head -2 "$work/cmsg.out")"

# LC_NUMERIC with a decimal comma changes nothing a machine reads
printf 'x,y\n1.5,2.25\n' >"$work/n.csv"
printf '{"fields": [{"name": "x", "type": "number"}, {"name": "y", "type": "number", "constraints": {"maximum": 2.5}}]}\n' >"$work/n.schema.json"
run num-en $en "$v" --format json --schema "$work/n.schema.json" "$work/n.csv"
run num-de LOCPATH="$loc" LANG=ja_JP.UTF-8 LC_NUMERIC=de_DE.UTF-8 "$v" --format json --schema "$work/n.schema.json" "$work/n.csv"
cmp -s "$work/num-en.out" "$work/num-de.out" || fail "LC_NUMERIC=de_DE changes the report: $(diff "$work/num-en.out" "$work/num-de.out" | head -4)"
[ "$(cat "$work/num-de.rc")" = 0 ] || fail "1.5 is not read as a number under LC_NUMERIC=de_DE: $(cat "$work/num-de.out")"

# the portal's rules speak the locale's language too, naming the package's own city
mkdir "$work/pkg"
printf 'ID,名称\r\n1,日比谷公園公衆トイレ\r\n' >"$work/pkg/t.csv"
cat >"$work/pkg/datapackage.json" <<'JSON'
{"name": "toilets", "title": "公衆トイレ一覧", "description": "千代田区の公衆トイレの一覧",
 "licenses": [{"name": "CC-BY-4.0"}],
 "dcat": {"lg_code": "131016", "lg_name": "東京都千代田区", "issued": "2026-04-01",
          "spatial": "千代田区", "language": "ja"},
 "resources": [{"name": "t", "path": "t.csv", "title": "一覧", "description": "一覧",
   "schema": {"fields": [{"name": "ID", "type": "integer"}, {"name": "名称", "type": "string"}]}}]}
JSON
run pja LC_ALL=C.UTF-8 LANGUAGE=ja "$v" --for-portal --package "$work/pkg"
grep -q 'エラー: \[portal-metadata\] dcat.publisher: ありません: 提供者（dcat.publisher）を書いてください（例: 東京都千代田区）' "$work/pja.out" ||
	fail "the portal's rule in Japanese, with the package's own name: $(grep portal "$work/pja.out" | head -3)"
grep -q 'http://data.e-stat.go.jp/lod/sac/C13101' "$work/pja.out" || fail "the e-Stat area of the package's own code"
grep -q '金沢\|172014' "$work/pja.out" && fail "金沢市 wording in another city's findings"
run pen LC_ALL=C.UTF-8 "$v" --for-portal --package "$work/pkg"
grep -q 'error: \[portal-metadata\] dcat.publisher: missing: name the publisher (dcat.publisher), e.g. 東京都千代田区' "$work/pen.out" ||
	fail "the portal's rule in English: $(grep portal "$work/pen.out" | head -3)"

# every tool speaks Japanese: help, usage errors, findings
for t in validate describe export upload import; do
	env LC_ALL=C.UTF-8 LANGUAGE=ja "$bin/kplan-$t" --help >"$work/h.$t" 2>&1 || fail "kplan-$t --help"
	grep -q '^使い方: kplan-' "$work/h.$t" || fail "kplan-$t --help is not Japanese: $(head -1 "$work/h.$t")"
	grep -q 'このヘルプを表示して終了する' "$work/h.$t" || fail "kplan-$t --help: the options are not translated"
	set +e
	env LC_ALL=C.UTF-8 LANGUAGE=ja "$bin/kplan-$t" --no-such-option >/dev/null 2>"$work/u.$t"
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "kplan-$t: a usage error exits $rc in Japanese"
	grep -q "不明なオプション '--no-such-option' です" "$work/u.$t" || fail "kplan-$t usage error: $(cat "$work/u.$t")"
done
run desc LC_ALL=C.UTF-8 LANGUAGE=ja "$bin/kplan-describe" "$work/missing.csv"
grep -q "を開けません" "$work/desc.err" || fail "kplan-describe's error is not Japanese: $(cat "$work/desc.err")"
# describe's draft is a machine's file: the same in both languages
run d-en $en "$bin/kplan-describe" "$work/t.csv"
run d-ja LC_ALL=C.UTF-8 LANGUAGE=ja "$bin/kplan-describe" "$work/t.csv"
cmp -s "$work/d-en.out" "$work/d-ja.out" || fail "kplan-describe's draft changes with the language"
echo "i18n: po/ja.po complete ($n messages); Japanese by LANGUAGE, LANG, LC_MESSAGES; JSON, status and drafts unchanged; LC_NUMERIC ignored"
