#!/bin/sh
# Interrupted and concurrent exports.  SIGTERM, SIGINT and SIGHUP during an export
# leave the previous OUT exactly as it was and nothing beside it (the process then
# ends by that signal); SIGKILL at any moment leaves OUT either wholly old or wholly
# new, and the next run removes what the killed one left; two runs into one OUT take
# turns and leave one run's complete output; a failed fsync of OUT's parent after the
# exchange is undone and reported (exit 3).
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${BUILD:=build}"
PY=${KPLAN_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
x="$KPLAN_BIN/kplan-export"
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$work/pkg"
cat >"$work/pkg/datapackage.json" <<'JSON'
{"name": "big", "title": "大きな表",
 "dcat": {"landing_page": "https://example.org/dataset/big", "download_base": "https://example.org/dl"},
 "resources": [{"name": "t", "path": "t.csv", "schema": {
   "fields": [{"name": "id", "type": "integer", "propertyUrl": "http://example.org/v#id"},
              {"name": "name", "type": "string", "propertyUrl": "http://example.org/v#name"},
              {"name": "value", "type": "number", "propertyUrl": "http://example.org/v#value"}],
   "primaryKey": ["id"], "aboutUrl": "https://example.org/t/{id}"}}]}
JSON
small() { printf 'id,name,value\r\n1,a,1.5\r\n2,b,2.5\r\n' >"$work/pkg/t.csv"; }
big() { seq 1 400000 | awk 'BEGIN { printf "id,name,value\r\n" } { printf "%d,name %d,%d.5\r\n", $1, $1, $1 }' >"$work/pkg/t.csv"; }
# OUT's files match its datapackage.json (sizes and SHA-256): one run's output, whole
consistent() {
	"$PY" - "$1" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
d = json.load(open(os.path.join(out, "datapackage.json")))
for r in d["resources"]:
    data = open(os.path.join(out, r["path"]), "rb").read()
    assert len(data) == r["bytes"], (r["path"], len(data), r["bytes"])
    assert "sha256:" + hashlib.sha256(data).hexdigest() == r["hash"], r["path"]
PY
}
snapshot() { (cd "$work/out" && find . -type f | sort | xargs sha256sum) >"$1"; }
leftovers() { ls -A "$work" | grep -v '^\(pkg\|out\|before\|after\|err\|extra\)$' || true; }
small
"$x" --package "$work/pkg" -o "$work/out" --date 2026-01-01
echo "kept by the city" >"$work/out/README.txt"
snapshot "$work/before"
big

# 1. Catchable signals, mid-run.  A background job of a non-interactive shell ignores
#    SIGINT, so perl restores the default before it starts the export.
for sig in TERM:15 INT:2 HUP:1; do
	num=${sig#*:}
	sig=${sig%:*}
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$x" --package "$work/pkg" -o "$work/out" --date 2026-02-02 2>"$work/err" &
	pid=$!
	sleep 0.4
	kill -s $sig $pid
	rc=0
	wait $pid || rc=$?
	want=$((128 + num))
	[ "$rc" = "$want" ] || fail "SIG$sig: exit $rc, expected $want: $(cat "$work/err")"
	grep -q "nothing written to $work/out" "$work/err" || fail "SIG$sig: $(cat "$work/err")"
	snapshot "$work/after"
	cmp -s "$work/before" "$work/after" || fail "SIG$sig: OUT changed"
	[ -z "$(leftovers)" ] || fail "SIG$sig left: $(leftovers)"
done

# 2. SIGKILL mid-run: OUT untouched; the stage it leaves goes with the next run.
"$x" --package "$work/pkg" -o "$work/out" --date 2026-02-02 2>"$work/err" &
pid=$!
sleep 0.4
kill -9 $pid
wait $pid || true
snapshot "$work/after"
cmp -s "$work/before" "$work/after" || fail "SIGKILL: OUT changed"
[ -n "$(leftovers)" ] || fail "SIGKILL: expected a stale stage beside OUT"
small
"$x" --package "$work/pkg" -o "$work/out" --date 2026-03-03
[ -z "$(leftovers)" ] || fail "the stale stage was not removed: $(leftovers)"
consistent "$work/out" || fail "after the rerun"
[ -f "$work/out/README.txt" ] || fail "the city's own file in OUT was lost"

# 3. SIGKILL at random moments of short runs (the commit included): after each, OUT
#    is one whole run's output.
i=0
while [ $i -lt 30 ]; do
	"$x" --package "$work/pkg" -o "$work/out" --date "2026-04-$(printf %02d $((i % 28 + 1)))" 2>/dev/null &
	pid=$!
	sleep "0.0$((i % 10))"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	consistent "$work/out" || fail "SIGKILL round $i: OUT is mixed"
	i=$((i + 1))
done
"$x" --package "$work/pkg" -o "$work/out" --date 2026-05-05
[ -z "$(leftovers)" ] || fail "stale stages after the SIGKILL rounds: $(leftovers)"

# 4. Two runs at once into one OUT: both succeed, one after the other.
big
"$x" --package "$work/pkg" -o "$work/out" --date 2026-06-01 2>"$work/err" &
a=$!
"$x" --package "$work/pkg" -o "$work/out" --date 2026-06-02 2>"$work/extra" &
b=$!
ra=0 rb=0
wait $a || ra=$?
wait $b || rb=$?
[ "$ra" = 0 ] && [ "$rb" = 0 ] || fail "concurrent runs: exit $ra and $rb: $(cat "$work/err" "$work/extra")"
consistent "$work/out" || fail "concurrent runs: OUT is mixed"
[ -z "$(leftovers)" ] || fail "concurrent runs left: $(leftovers)"
[ -f "$work/out/README.txt" ] || fail "concurrent runs: the city's own file was lost"

# 5. The fsync that makes the exchange durable fails: undone, exit 3.
lib="$KPLAN_TOP/$BUILD/tests/libkpfault.so"
[ -f "$lib" ] || fail "no $lib (make tests)"
small
snapshot "$work/before"
rc=0
LD_PRELOAD=$lib ASAN_OPTIONS=verify_asan_link_order=0 KPLAN_FAULT_FSYNC_DIR=$(cd "$work" && pwd -P) \
	"$x" --package "$work/pkg" -o "$work/out" --date 2026-07-07 2>"$work/err" || rc=$?
[ "$rc" = 3 ] || fail "failed fsync: exit $rc: $(cat "$work/err")"
grep -q 'cannot make the new .* durable (fsync of .*: Input/output error); the previous folder was put back' "$work/err" ||
	fail "failed fsync message: $(cat "$work/err")"
snapshot "$work/after"
cmp -s "$work/before" "$work/after" || fail "failed fsync: OUT changed"
[ -z "$(leftovers)" ] || fail "failed fsync left: $(leftovers)"
exit 0
