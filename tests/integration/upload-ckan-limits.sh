# Size limits: CKAN's own (409 {"upload": ["File upload too large"]}, after the body was
# read) and a proxy's (nginx-style HTML 413), for a small body sent at once and for a
# body over 1 MiB sent after "Expect: 100-continue".  Never retried; reported readably.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
fresh_pkg
# a 2 MiB resource, so libcurl asks "Expect: 100-continue" before sending it
head -c 2097152 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 2097152 >"$work/pkg/big.csv"
"$KPLAN_PYTHON" - "$work/pkg" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
p = json.load(open(os.path.join(d, "datapackage.json"), encoding="utf-8"))
data = open(os.path.join(d, "big.csv"), "rb").read()
p["resources"].append({"name": "big", "path": "big.csv", "title": "大きな表", "description": "2 MiB",
    "format": "csv", "mediatype": "text/csv", "bytes": len(data), "encoding": "utf-8",
    "hash": "sha256:" + hashlib.sha256(data).hexdigest()})
json.dump(p, open(os.path.join(d, "datapackage.json"), "w", encoding="utf-8"), ensure_ascii=False)
PY
creates() { ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c '
import json, sys
print(sum(1 for l in json.load(sys.stdin)["log"] if l["action"] == "resource_create"))'; }

# CKAN's limit (1 MiB): the three small files go, the big one gets 409, exit 4.
start_ckan --max-resource-size 1
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "CKAN limit: exit $rc"
grep -q 'cannot create resource "big": HTTP 409, the portal refused the values: upload: File upload too large' "$work/err" ||
	fail "CKAN limit message: $(cat "$work/err")"
grep -q '^create resource "big": big.csv, 2097152 bytes (remaining)' "$work/out" || fail "$(cat "$work/out")"
[ "$(creates)" = 4 ] || fail "the refused upload was retried ($(creates) resource_create)"
# The rerun converges on the three, refuses the big one again, creates nothing twice.
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "CKAN limit rerun: exit $rc"
ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c '
import json, sys
p = json.load(sys.stdin)["packages"][0]
names = sorted(r["kplan_name"] for r in p["resources"])
assert names == ["items", "items-json", "targets"], names' || fail "CKAN limit: wrong resources"

# A proxy's limit (100 bytes) on a small body (the package_create JSON): HTML 413,
# exit 4, one attempt.
kill "$ckan_pid"
start_ckan --proxy-max-body 100
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "proxy limit: exit $rc"
grep -q 'cannot create dataset "172014-gyozaisei-kaikaku-2019": HTTP 413 (413 Request Entity Too Large), an HTML page, not an API answer: a proxy in front of the portal answered; the request body is larger than the server accepts' "$work/err" ||
	fail "proxy limit message: $(cat "$work/err")"
[ "$(ckan_curl "$CKAN/_test/state" | grep -o '"POST"' | wc -l)" = 1 ] || fail "the 413 was retried"

# The same limit with Expect: 100-continue (the big file first in line).
kill "$ckan_pid"
start_ckan --proxy-max-body 1048576
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "proxy limit (expect): exit $rc"
grep -q 'cannot create resource "big": HTTP 413 (413 Request Entity Too Large)' "$work/err" ||
	fail "proxy limit (expect) message: $(cat "$work/err")"
[ "$(creates)" = 4 ] || fail "proxy limit (expect): $(creates) resource_create"
no_token_in "$work/out" "$work/err"

# Progress: on a terminal (script(1) gives one) a line per big file on stderr; without a
# terminal, or with --quiet, none.
kill "$ckan_pid"
start_ckan
upload >"$work/out" 2>"$work/err" || fail "plain run: $(cat "$work/err")"
[ ! -s "$work/err" ] || fail "stderr is not a terminal, yet: $(cat "$work/err")"
reset_all
if command -v script >/dev/null 2>&1; then
	KPLAN_TOKEN=$TOKEN script -qec "kplan-upload --portal $CKAN --org kanazawa --insecure-http $work/pkg/datapackage.json" \
		/dev/null >"$work/tty" 2>&1 </dev/null || fail "terminal run: $(cat "$work/tty")"
	grep -q 'kplan-upload: uploading 100% (2 of 2 MB)' "$work/tty" || fail "no progress on a terminal: $(cat "$work/tty")"
	reset_all
	KPLAN_TOKEN=$TOKEN script -qec "kplan-upload --quiet --portal $CKAN --org kanazawa --insecure-http $work/pkg/datapackage.json" \
		/dev/null >"$work/tty" 2>&1 </dev/null || fail "quiet terminal run: $(cat "$work/tty")"
	[ ! -s "$work/tty" ] || fail "--quiet printed: $(cat "$work/tty")"
	no_token_in "$work/tty"
fi
exit 0
