# kplan-upload --datastore against the CKAN test server as CKAN 2.9, 2.10 and 2.11: a
# 100,000-row table of another city lands typed (the Table Schema's types, its titles
# and descriptions as the data dictionary, its primary key, null for empty cells) in a
# DataStore-only resource; a second run sends nothing; a one-cell change costs a few
# requests (not a reload); deleted and added rows follow; a changed column reloads;
# every fault of the upload suite on the DataStore calls ends, after a rerun, with
# each row exactly once.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
rows=${KPLAN_DS_ROWS:-100000}
src=$work/src
mkdir -p "$src"

# The table: 施設利用状況 of 富山市 (162019), monthly per facility; the key is
# (facility_id, month); 利用率 is a number, 開館 a boolean, 備考 mostly empty.
make_table() { # ROWS
"$KPLAN_PYTHON" - "$src" "$1" <<'PY'
import json, os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(162019)
with open(os.path.join(out, "usage.csv"), "w", encoding="utf-8", newline="") as f:
    f.write("施設ID,年月,利用者数（人）,稼働率,開館,備考\r\n")
    for i in range(n):
        fac, m = i // 120 + 1, i % 120
        month = "%04d-%02d" % (2016 + m // 12, m % 12 + 1)
        open_ = rnd.random() > 0.05
        users = rnd.randrange(0, 5000) if open_ else ""
        rate = "%.3f" % rnd.random() if open_ else ""
        note = "臨時休館" if not open_ else ("改修のため一部閉鎖" if rnd.random() < 0.01 else "")
        f.write('%d,%s,%s,%s,%s,%s\r\n' % (fac, month, users, rate, "true" if open_ else "false",
                                          '"%s"' % note if "," in note else note))
fields = [
    {"name": "facility_id", "title": "施設ID", "type": "integer", "description": "施設の番号（市の施設台帳）",
     "constraints": {"required": True}},
    {"name": "month", "title": "年月", "type": "string", "description": "集計した年月（YYYY-MM）",
     "constraints": {"required": True, "pattern": "[0-9]{4}-[0-9]{2}"}},
    {"name": "users", "title": "利用者数（人）", "type": "integer", "description": "その月の利用者の延べ人数"},
    {"name": "rate", "title": "稼働率", "type": "number", "description": "開館時間のうち利用された割合（0〜1）"},
    {"name": "open", "title": "開館", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"]},
    {"name": "note", "title": "備考", "type": "string"},
]
dp = {"name": "facility-usage", "title": "施設利用状況", "description": "富山市の公共施設の月別利用者数と稼働率",
      "keywords": ["施設", "利用状況"], "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
      "title": "Creative Commons Attribution 4.0"}],
      "dcat": {"lg_code": "162019", "lg_name": "富山県富山市", "publisher": "富山市", "author": "企画管理部",
               "contact": {"name": "富山市 企画管理部", "email": "opendata@city.toyama.example.jp"},
               "issued": "2026-04-01", "modified": "2026-04-01", "frequency": "monthly",
               "spatial": "http://data.e-stat.go.jp/lod/sac/C16201", "theme": ["行財政"], "language": "ja",
               "landing_page": "https://www.city.toyama.example.jp/opendata/usage",
               "download_base": "https://www.city.toyama.example.jp/opendata/files/"},
      "resources": [{"name": "usage", "path": "usage.csv", "title": "施設利用状況", "description": "施設ごと・月ごとの利用状況",
                     "encoding": "utf-8", "schema": {"fields": fields, "primaryKey": ["facility_id", "month"]}}]}
json.dump(dp, open(os.path.join(out, "datapackage.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}
make_table "$rows"
export SOURCE_DATE_EPOCH=1780000000
export_pkg() {
	rm -rf "$work/pkg"
	kplan-export --for-portal --package "$src/datapackage.json" --format all -o "$work/pkg" 2>"$work/export.err" ||
		fail "export: $(cat "$work/export.err")"
}
ds=162019-facility-usage
dsck() { "$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ds_check.py" "$CKAN" "$work/pkg" "$@"; }
up() { upload --datastore "$@"; }
# edit ROW_NUMBER NEW_LINE: replaces one data line (1 = the first row after the header)
edit() {
	"$KPLAN_PYTHON" - "$src/usage.csv" "$1" "$2" <<'PY'
import sys
p, n, line = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = open(p, encoding="utf-8", newline="").read().split("\r\n")
if line == "-":
    del lines[n]
else:
    lines[n] = line
open(p, "w", encoding="utf-8", newline="").write("\r\n".join(lines))
PY
}

# set_field FIELD KEY VALUE: edits the source package's schema
set_field() {
	"$KPLAN_PYTHON" - "$src/datapackage.json" "$@" <<'PY'
import json, sys
p, name, key, value = sys.argv[1:]
d = json.load(open(p, encoding="utf-8"))
f = next(f for f in d["resources"][0]["schema"]["fields"] if f["name"] == name)
f[key] = value
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}

for version in 2.9 2.10 2.11; do
	start_ckan --ckan-version "$version" --org toyama
	upload() {
		KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org toyama --insecure-http \
			--timeout 10 --retry-delay 50 "$@" "$work/pkg/datapackage.json"
	}
	cp "$src/usage.csv" "$work/usage.orig"
	export_pkg

	# first run: the table, typed, with its data dictionary
	up >"$work/up1.out" 2>"$work/up1.err" || fail "$version: first upload: $(cat "$work/up1.err")"
	grep -q "^create DataStore table \"usage\": $rows rows, 6 columns, key facility_id + month (done)" "$work/up1.out" ||
		fail "$version: first upload said: $(cat "$work/up1.out")"
	check || fail "$version: the files"
	dsck || fail "$version: the DataStore after the first run"
	upserts=$(ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c 'import json,sys; print(sum(1 for l in json.load(sys.stdin)["log"] if l["action"] == "datastore_upsert"))')
	[ "$upserts" -lt $((rows / 500)) ] || fail "$version: $upserts upserts for $rows rows"

	# nothing changed: nothing sent
	reset_log
	up >"$work/up2.out" 2>"$work/up2.err" || fail "$version: second upload: $(cat "$work/up2.err")"
	check --writes 0 || fail "$version: the second run wrote"
	grep -q '^skip DataStore table "usage": same rows and columns$' "$work/up2.out" || fail "$version: $(cat "$work/up2.out")"

	# one cell: the files it changes, and a chunk or two of rows
	edit 50000 "417,2022-08,1234,0.512,true,"
	export_pkg
	reset_log
	up >"$work/up3.out" 2>"$work/up3.err" || fail "$version: one cell: $(cat "$work/up3.err")"
	n=$(ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c 'import json,sys; print(sum(1 for l in json.load(sys.stdin)["log"] if l["action"].startswith("datastore_")))')
	[ "$n" -le 3 ] || fail "$version: a one-cell change cost $n DataStore requests"
	dsck --max-rows-sent 8192 || fail "$version: one cell changed"

	# a row deleted, one added: the DataStore follows, by the key
	edit 20 -
	printf '9999,2030-01,1,0.5,true,新設\r\n' >>"$src/usage.csv"
	export_pkg
	reset_log
	up >"$work/up4.out" 2>"$work/up4.err" || fail "$version: rows deleted and added: $(cat "$work/up4.err")"
	dsck --max-rows-sent 16384 || fail "$version: a row deleted and one added"

	# a description changes: the data dictionary only; a type changes: a reload
	set_field month description 集計の対象とした年月（YYYY-MM）
	export_pkg
	reset_log
	up >"$work/up5.out" 2>"$work/up5.err" || fail "$version: description: $(cat "$work/up5.err")"
	dsck --max-rows-sent 0 || fail "$version: the data dictionary"
	grep -q '^upsert DataStore table "usage": 0 of [0-9]* chunks of rows differ, and the data dictionary (done)$' "$work/up5.out" ||
		fail "$version: $(cat "$work/up5.out")"

	# a column's type changes: the table is reloaded
	set_field rate type string
	export_pkg
	reset_log
	up >"$work/up6.out" 2>"$work/up6.err" || fail "$version: a type: $(cat "$work/up6.err")"
	grep -q '^reload DataStore table "usage": [0-9]* rows: the columns changed (done)$' "$work/up6.out" ||
		fail "$version: $(cat "$work/up6.out")"
	dsck || fail "$version: after the reload"
	set_field rate type number

	cp "$work/usage.orig" "$src/usage.csv"
	set_field month description 集計した年月（YYYY-MM）
	kill "$ckan_pid"
	wait "$ckan_pid" 2>/dev/null || true
done

# The upload suite's faults on the DataStore's calls (as CKAN 2.9, the strictest), on a
# table of 6,000 rows (a few chunks): the run finishes or stops with exit 4, and a rerun
# leaves every row exactly once and one DataStore resource.
make_table 6000
start_ckan --ckan-version 2.9 --org toyama
upload() {
	KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org toyama --insecure-http \
		--timeout 2 --retry-delay 50 "$@" "$work/pkg/datapackage.json"
}
export_pkg
cp "$src/usage.csv" "$work/usage.orig"
k=0
case_() { # ACTION NTH KIND SETUP(fresh|changed)
	k=$((k + 1))
	reset_all
	cp "$work/usage.orig" "$src/usage.csv"
	export_pkg
	if [ "$4" = changed ]; then
		up >/dev/null 2>&1 || fail "setup run failed"
		edit 10 -
		edit 3000 "26,2016-01,1,0.25,true,変更"
		export_pkg
	fi
	reset_log
	faults "[{\"action\": \"$1\", \"nth\": $2, \"kind\": \"$3\", \"seconds\": 3}]"
	rc=0
	up >"$work/f.out.$k" 2>"$work/f.err.$k" || rc=$?
	case $rc in 0 | 4) ;; *) fail "$1#$2 $3: exit $rc: $(cat "$work/f.err.$k")" ;; esac
	no_token_in "$work/f.out.$k" "$work/f.err.$k"
	if [ $rc != 0 ]; then
		grep -q remain "$work/f.out.$k" || fail "$1 $3: no account of what remains: $(cat "$work/f.out.$k")"
		up >"$work/f2.out.$k" 2>"$work/f2.err.$k" || fail "$1#$2 $3: rerun: $(cat "$work/f2.err.$k")"
	fi
	dsck || fail "$1#$2 $3 ($4): the DataStore after the run(s)"
	check || fail "$1#$2 $3 ($4): the files after the run(s)"
}
for kind in 500 503 html502 500_after_write search_index_error html504_after_write drop_after_write slow_after_write; do
	case_ datastore_create 1 $kind fresh
	case_ datastore_upsert 2 $kind fresh
	case_ datastore_upsert 1 $kind changed
	case_ datastore_delete 1 $kind changed
	case_ datastore_search 1 $kind changed
done
echo "upload-ckan-datastore: ok"
