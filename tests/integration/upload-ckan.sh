# kplan-upload against the CKAN test server: dry run, first run, second run makes no
# write, a changed file is uploaded alone, changed metadata is patched alone.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
fresh_pkg
ds=172014-gyozaisei-kaikaku-2019

# Dry run on an empty portal: the plan, reads only, nothing written.
upload --dry-run >"$work/out" 2>"$work/err" || fail "dry run failed: $(cat "$work/err")"
grep -q "^create dataset \"$ds\" (planned)" "$work/out" || fail "dry run plan: $(cat "$work/out")"
[ "$(grep -c '^create resource' "$work/out")" = 3 ] || fail "dry run resources: $(cat "$work/out")"
check --absent --writes 0 || fail "dry run wrote something"

# First run creates everything.
upload >"$work/out" 2>"$work/err" || fail "first run failed: $(cat "$work/err")"
check --writes 4 || fail "first run: wrong result"

# Second run: no write at all, every step a skip.
reset_log
upload -f json >"$work/out" 2>"$work/err" || fail "second run failed: $(cat "$work/err")"
check --writes 0 || fail "second run wrote"
"$KPLAN_PYTHON" - "$work/out" <<'PY' || fail "second run JSON: $(cat "$work/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True and r["writes"] == 0 and r["remaining"] == 0, r
assert [s["action"] for s in r["steps"]] == ["skip"] * 4, r["steps"]
PY

# Dry run against the populated portal: nothing planned.
reset_log
upload --dry-run >"$work/out" || fail "dry run 2"
grep -q "0 write step(s) planned" "$work/out" || fail "dry run 2 plan: $(cat "$work/out")"

# One file changes: one resource_patch with the file, nothing else.
reset_log
edit_file targets.csv "172014,石川県金沢市,2,2021,90,件"
upload >"$work/out" 2>"$work/err" || fail "changed file run failed: $(cat "$work/err")"
grep -q '^upload resource "targets": targets.csv, .* (done)' "$work/out" || fail "$(cat "$work/out")"
check --writes 1 || fail "changed file"
ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c '
import json, sys
s = json.load(sys.stdin)
w = [l["action"] for l in s["log"] if l["write"]]
assert w == ["resource_patch"], w' || fail "a changed file must give exactly one resource_patch"

# Metadata changes: one package_patch carrying only the changed fields.
reset_log
sed 's/"title": "金沢市 行財政改革 実施計画 取組事項（2019–2022）"/"title": "改題"/; s/"実施計画",/"実施計画", "オープンデータ",/' \
	"$work/pkg/datapackage.json" >"$work/dp" && mv "$work/dp" "$work/pkg/datapackage.json"
upload >"$work/out" 2>"$work/err" || fail "metadata run failed: $(cat "$work/err")"
grep -q '^patch dataset ".*": title, tags (done)' "$work/out" || fail "metadata plan: $(cat "$work/out")"
check --writes 1 || fail "metadata patch"

# A resource description changes: a JSON resource_patch, no upload.
reset_log
sed 's/取組事項の一覧（1 行 1 取組事項）/取組事項の一覧/' "$work/pkg/datapackage.json" >"$work/dp" &&
	mv "$work/dp" "$work/pkg/datapackage.json"
upload >"$work/out" 2>"$work/err" || fail "description run failed: $(cat "$work/err")"
grep -q '^patch resource "items": description (done)' "$work/out" || fail "$(cat "$work/out")"
check --writes 1 || fail "resource description patch"

# Someone deletes a resource, then the whole dataset, on the portal: the next runs
# recreate the resource, then restore the dataset (state active) without duplicates.
ckan_post() { ckan_curl -H "Authorization: $TOKEN" -H 'Content-Type: application/json' -d "$2" "$CKAN/api/3/action/$1" >/dev/null; }
rid=$(ckan_curl "$CKAN/api/3/action/package_show?id=$ds" | "$KPLAN_PYTHON" -c '
import json, sys
print([r["id"] for r in json.load(sys.stdin)["result"]["resources"] if r["kplan_name"] == "targets"][0])')
ckan_post resource_delete "{\"id\": \"$rid\"}"
reset_log
upload >"$work/out" 2>"$work/err" || fail "recreate run failed: $(cat "$work/err")"
grep -q '^create resource "targets"' "$work/out" || fail "deleted resource: $(cat "$work/out")"
check --writes 1 || fail "deleted resource not recreated"
ckan_post package_delete "{\"id\": \"$ds\"}"
reset_log
upload >"$work/out" 2>"$work/err" || fail "restore run failed: $(cat "$work/err")"
grep -q "^patch dataset \"$ds\": state (done)" "$work/out" || fail "deleted dataset: $(cat "$work/out")"
check --writes 1 || fail "deleted dataset not restored"

# A file leaves the package: its resource is deleted, after the uploads; a resource
# added by hand on the portal (no kplan_name) stays.
ckan_post resource_create "{\"package_id\": \"$ds\", \"name\": \"手作業のリンク\", \"url\": \"https://example.jp/x\"}"
drop_json() {
	"$KPLAN_PYTHON" - "$work/pkg/datapackage.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))
p["resources"] = [r for r in p["resources"] if r["name"] != "items-json"]
json.dump(p, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False)
PY
}
cp "$work/pkg/datapackage.json" "$work/with-json.json"
drop_json
reset_log
upload --dry-run >"$work/out" 2>"$work/err" || fail "shrunk dry run: $(cat "$work/err")"
grep -q '^delete resource "items-json": no longer in the package (planned)' "$work/out" || fail "$(cat "$work/out")"
upload >"$work/out" 2>"$work/err" || fail "shrunk run: $(cat "$work/err")"
grep -q '^delete resource "items-json": no longer in the package (done)' "$work/out" || fail "$(cat "$work/out")"
check --foreign 1 --writes 1 || fail "shrunk package"
reset_log
upload >"$work/out" 2>"$work/err" || fail "shrunk rerun: $(cat "$work/err")"
check --foreign 1 --writes 0 || fail "shrunk rerun wrote"
# Back again, then away again with the delete's answer lost: the retry finds it gone.
cp "$work/with-json.json" "$work/pkg/datapackage.json"
upload >"$work/out" 2>"$work/err" || fail "regrown run: $(cat "$work/err")"
check --foreign 1 || fail "regrown package"
drop_json
reset_log
faults '[{"action": "resource_delete", "nth": 1, "kind": "drop_after_write"}]'
upload >"$work/out" 2>"$work/err" || fail "lost delete answer: $(cat "$work/err")"
check --foreign 1 || fail "lost delete answer"
cp "$work/with-json.json" "$work/pkg/datapackage.json"
upload >/dev/null 2>&1 || fail "regrown again"

# A dataset of the same name in another organization is not touched.
reset_log
KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org other-city --insecure-http \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" && fail "foreign dataset accepted"
grep -q 'belongs to another organization' "$work/err" || fail "foreign: $(cat "$work/err")"
check --foreign 1 --writes 0 || fail "foreign dataset written"

# A package whose file no longer matches its descriptor is refused before any request.
reset_log
printf 'x' >>"$work/pkg/items.json"
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 2 ] || fail "edited file: exit $rc"
grep -q 'differs from its' "$work/err" || fail "edited file: $(cat "$work/err")"
[ "$(ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["log"]))')" = 0 ] ||
	fail "requests were sent for a broken package"
no_token_in "$work/out" "$work/err"
exit 0
