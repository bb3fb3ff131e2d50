# make bench: kplan-upload --datastore loading the 1,000,000-row targets table (the
# validation benchmark's, primary key item_no + fiscal_year) into the CKAN test server's
# DataStore, beside the 250-rows-per-request loading of datapusher and xloader
# (tests/bench/ds-load-250.py: the same typed rows, the same server).  Then kplan's
# second run (nothing changed: nothing sent) and a run after one changed cell.
# Figures: wall seconds, rows/s, DataStore requests, rows sent, the client's peak RSS.
# The server is Python and sqlite, so the absolute rates are the server's; the request
# counts and the ratio between the two loaders are the point.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
rows=${KPLAN_BENCH_ROWS:-1000000}
py=$KPLAN_PYTHON
dir=${KPLAN_BENCH_DIR:-$work}
csv="$dir/targets-$rows.csv"
mkdir -p "$dir"
[ -f "$csv" ] || "$py" "$KPLAN_TOP/tests/bench/gen-targets.py" "$csv" "$rows"
command -v /usr/bin/time >/dev/null || { echo "bench-datastore: skipped: /usr/bin/time is missing"; exit 0; }

# The table exported (canonical values, UTF-8), and a descriptor of that one file.
"$py" "$KPLAN_TOP/tests/bench/targets-package.py" "$KPLAN_TOP" "$work/src" "$csv"
kplan-export --package "$work/src" --format csv -o "$work/pkg" 2>/dev/null || fail "export"
write_descriptor() {
	"$py" - "$work/src/datapackage.json" "$work/pkg" <<'PY'
import hashlib, json, os, sys
dp = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
r = dp["resources"][0]
p = os.path.join(out, "targets.csv")
h = hashlib.sha256()
with open(p, "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""):
        h.update(b)
r.update({"path": "targets.csv", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
          "bytes": os.path.getsize(p), "hash": "sha256:" + h.hexdigest()})
dp["name"] = "bench-datastore"
json.dump(dp, open(os.path.join(out, "datapackage.json"), "w"), ensure_ascii=False)
PY
}
write_descriptor
mb=$("$py" -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$work/pkg/targets.csv")
printf '{"name": "bench", "dataset": [], "resource": []}\n' >"$work/rules.json"
start_ckan --max-resource-size 500 --ckan-version 2.9
ups() { KPLAN_TOKEN=$TOKEN kplan-upload --insecure-http --quiet --timeout 600 --portal "$CKAN" --org kanazawa \
	--dataset bench-datastore --portal-rules "$work/rules.json" "$@" "$work/pkg/datapackage.json"; }
ups || fail "the files"
log() { ckan_curl "$CKAN/_test/state" | "$py" -c 'import json,sys; l=[x for x in json.load(sys.stdin)["log"] if x["action"].startswith("datastore_")]; print(len(l), sum(x.get("rows", 0) for x in l))'; }

# report LABEL ROWS_LOADED: the figures of the last /usr/bin/time run and the log
report() {
	read -r secs kb <"$work/time"
	set -- "$1" "$2" "$secs" "$kb" $(log)
	"$py" -c 'import sys; l, n, s, kb, req, sent = sys.argv[1:]; s = float(s)
print("%-40s %7.2f s %9.0f rows/s %6s requests %8s rows sent  peak RSS %6.1f MB" % (l, s, int(n) / max(s, 1e-3), req, sent, int(kb) / 1024))' "$@"
}
echo "table: $rows rows, $mb MB, primary key item_no + fiscal_year; CKAN test server (2.9) on 127.0.0.1"
reset_log
/usr/bin/time -f '%e %M' -o "$work/time" sh -c 'KPLAN_TOKEN=$0 kplan-upload --insecure-http --quiet --timeout 600 --portal "$1" --org kanazawa --dataset bench-datastore --portal-rules "$2" --datastore "$3"' \
	"$TOKEN" "$CKAN" "$work/rules.json" "$work/pkg/datapackage.json" || fail "kplan --datastore"
report "kplan-upload --datastore (first load)" "$rows"
"$py" "$KPLAN_TOP/tests/servers/ds_check.py" "$CKAN" "$work/pkg" --dataset bench-datastore 2>/dev/null || fail "the DataStore"

pkg_id=$(ckan_curl "$CKAN/api/3/action/package_show?id=bench-datastore" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["result"]["id"])')
reset_log
/usr/bin/time -f '%e %M' -o "$work/time" "$py" "$KPLAN_TOP/tests/bench/ds-load-250.py" "$CKAN" "$TOKEN" "$pkg_id" \
	"$work/pkg/targets.csv" "$work/src/schema.json" >"$work/peer.out" || fail "the 250-row loader"
report "250 rows per request (datapusher/xloader)" "$rows"

reset_log
/usr/bin/time -f '%e %M' -o "$work/time" sh -c 'KPLAN_TOKEN=$0 kplan-upload --insecure-http --quiet --timeout 600 --portal "$1" --org kanazawa --dataset bench-datastore --portal-rules "$2" --datastore "$3"' \
	"$TOKEN" "$CKAN" "$work/rules.json" "$work/pkg/datapackage.json" || fail "second run"
report "kplan-upload --datastore (unchanged)" "$rows"

# one cell: 継続表示 of the middle row flipped
"$py" - "$work/pkg/targets.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, "rb").read().split(b"\r\n")
n = len(lines) // 2
lines[n] = lines[n][:-4] + b"false" if lines[n].endswith(b"true") else lines[n][:-5] + b"true"
open(p + ".new", "wb").write(b"\r\n".join(lines))
PY
rm -f "$work/pkg/targets.csv" && mv "$work/pkg/targets.csv.new" "$work/pkg/targets.csv"
write_descriptor
ups || fail "the changed file"
reset_log
/usr/bin/time -f '%e %M' -o "$work/time" sh -c 'KPLAN_TOKEN=$0 kplan-upload --insecure-http --quiet --timeout 600 --portal "$1" --org kanazawa --dataset bench-datastore --portal-rules "$2" --datastore "$3"' \
	"$TOKEN" "$CKAN" "$work/rules.json" "$work/pkg/datapackage.json" || fail "one cell"
report "kplan-upload --datastore (one cell)" "$rows"
