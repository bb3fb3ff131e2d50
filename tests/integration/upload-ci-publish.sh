# ci/publish.sh end to end against the CKAN test server: validate → export → upload,
# a dry run for merge requests (no token, no write), a rerun of the same commit that
# writes nothing, and fail-fast with the failing tool's message and status.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
publish() { KPLAN_BIN=$KPLAN_BIN "$KPLAN_TOP/ci/publish.sh" "$@"; }

# The real thing: the plan's package and the sample tables, the portal's own rules.
mkdir -p "$work/src"
cp -R "$KPLAN_TOP"/schemas/kanazawa-plan/. "$work/src/"
export KPLAN_PACKAGE="$work/src/datapackage.json" KPLAN_DATA="$KPLAN_TOP/samples/kanazawa-2019"
export KPLAN_OUT="$work/dist" KPLAN_PORTAL="$CKAN" KPLAN_ORG=kanazawa
export KPLAN_UPLOAD_ARGS="--insecure-http --timeout 5"
export SOURCE_DATE_EPOCH=1700000000
ds=172014-kanazawa-action-plan-2019
ckan_state() { "$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$work/dist" --dataset $ds "$@"; }

# Merge request: dry run without the secret.
unset KPLAN_TOKEN
publish --dry-run >"$work/out" 2>"$work/err" || fail "dry run: $(cat "$work/err")"
grep -q "^create dataset \"$ds\" (planned)" "$work/out" || fail "dry run plan: $(cat "$work/out")"
grep -q 'publish: done (dry run: nothing was written)' "$work/err" || fail "$(cat "$work/err")"
ckan_state --absent --writes 0 || fail "dry run wrote"

# Without the secret a real run refuses to start.
rc=0
publish >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 2 ] || fail "no token: exit $rc"
grep -q 'KPLAN_TOKEN is not set' "$work/err" || fail "no token: $(cat "$work/err")"

# Push to main: publishes.
export KPLAN_TOKEN="$TOKEN"
publish >"$work/out" 2>"$work/err" || fail "publish: $(cat "$work/err")"
ckan_state || fail "publish: wrong portal state"
n=$("$KPLAN_PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["resources"]))' "$work/dist/datapackage.json")
[ "$n" -ge 10 ] || fail "the export made only $n resources"

# The same commit again: identical export, no write.
reset_log
publish >"$work/out" 2>"$work/err" || fail "republish: $(cat "$work/err")"
ckan_state --writes 0 || fail "republish wrote"

# Invalid data: stops at validate with its message and status; nothing exported or sent.
mkdir -p "$work/bad"
cp "$KPLAN_TOP"/samples/kanazawa-2019/*.csv "$work/bad/"
sed -n 2p "$work/bad/glossary.csv" >>"$work/bad/glossary.csv" # a duplicate primary key
reset_log
rc=0
KPLAN_DATA="$work/bad" KPLAN_OUT="$work/dist-bad" publish >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 1 ] || fail "invalid data: exit $rc: $(cat "$work/err")"
grep -q 'kplan-validate: .*glossary.csv:24:1: error: \[primary-key\]' "$work/out" "$work/err" || fail "validate's message missing: $(cat "$work/out" "$work/err")"
grep -q "publish: step 'validate' failed (exit 1)" "$work/err" || fail "$(cat "$work/err")"
[ ! -e "$work/dist-bad" ] || fail "export ran after a failed validation"
ckan_state --writes 0 || fail "invalid data reached the portal"
[ "$(ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["log"]))')" = 0 ] ||
	fail "requests were sent for invalid data"

# In GitHub Actions the findings are annotations; in GitLab CI a Code Quality report.
rc=0
GITHUB_ACTIONS=true KPLAN_DATA="$work/bad" KPLAN_OUT="$work/dist-bad" publish >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 1 ] || fail "github: exit $rc"
grep -q '^::error file=.*glossary.csv,line=24,col=1,title=primary-key::' "$work/out" ||
	fail "github annotation: $(cat "$work/out")"
rc=0
(cd "$work" && GITLAB_CI=true KPLAN_DATA="$work/bad" KPLAN_OUT="$work/dist-bad" publish >"$work/out" 2>"$work/err") || rc=$?
[ $rc = 1 ] || fail "gitlab: exit $rc"
"$KPLAN_PYTHON" - "$work/gl-code-quality-report.json" <<'PY' || fail "code quality report: $(cat "$work/gl-code-quality-report.json")"
import json, sys
issues = json.load(open(sys.argv[1]))
assert isinstance(issues, list) and issues, issues
for i in issues:
    assert set(i) >= {"description", "check_name", "fingerprint", "severity", "location"}, i
    assert i["severity"] in ("info", "minor", "major", "critical", "blocker"), i
    assert isinstance(i["location"]["path"], str) and i["location"]["lines"]["begin"] >= 1, i
assert len({i["fingerprint"] for i in issues}) == len(issues)
assert any(i["check_name"] == "primary-key" and i["location"]["lines"]["begin"] == 24 for i in issues)
PY

# A wrong token: with nothing to write, CKAN's anonymous reads show the portal is
# current (exit 0); once something must change, upload stops with its 403 and exit 4.
KPLAN_TOKEN=wrong-token publish >"$work/out" 2>"$work/err" || fail "wrong token, nothing to do: $(cat "$work/err")"
ckan_state --writes 0 || fail "wrong token wrote"
edit_src() { sed 's/"version": "1.0.0"/"version": "1.0.1"/' "$work/src/datapackage.json" >"$work/dp" && mv "$work/dp" "$work/src/datapackage.json"; }
edit_src
rc=0
KPLAN_TOKEN=wrong-token publish >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "wrong token: exit $rc: $(cat "$work/err")"
grep -q "HTTP 403, Access denied" "$work/err" || fail "wrong token message: $(cat "$work/err")"
grep -q "publish: step 'upload' failed (exit 4)" "$work/err" || fail "$(cat "$work/err")"
no_token_in "$work/out" "$work/err"
exit 0
