#!/bin/sh
# Schema memory: a 40 MB schema of tiny values (which used to peak at 1.7 GB) is
# refused at once with the limit named (exit 2) in little memory; a schema over the
# file-size limit says the limit; running out of memory while loading one is exit 3
# with "out of memory", not "invalid JSON".
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
PY=${KPLAN_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
v="$KPLAN_BIN/kplan-validate"
printf 'a\r\n1\r\n' >"$work/t.csv"
"$PY" - "$work" <<'PY'
import os, sys
w = sys.argv[1]
with open(os.path.join(w, "tiny-values.json"), "w") as f:
    f.write('{"fields": [{"name": "a", "type": "integer", "constraints": {"enum": [')
    f.write(",".join("0" for _ in range(20000000)))
    f.write("]}}]}")
with open(os.path.join(w, "huge.json"), "w") as f:
    f.write('{"fields": [{"name": "a", "description": "' + "x" * (65 << 20) + '"}]}')
with open(os.path.join(w, "big-ok.json"), "w") as f:
    f.write('{"fields": [{"name": "a", "type": "string", "constraints": {"enum": [')
    f.write(",".join('"v%07d"' % i for i in range(1500000)))
    f.write("]}}]}")
PY
# peak memory of one run, in kB (Linux ru_maxrss of the child)
peak() {
	"$PY" -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
' "$@"
}
out=$(peak "$v" --schema "$work/tiny-values.json" "$work/t.csv" 2>"$work/err")
set -- $out
[ "$2" = 2 ] || fail "tiny values: exit $2: $(cat "$work/err")"
grep -q 'tiny-values.json" holds about 20000012 JSON values; at most 3000000 are supported' "$work/err" ||
	fail "tiny values message: $(cat "$work/err")"
[ "$1" -lt 400000 ] || fail "tiny values: peak RSS $1 kB"

rc=0
"$v" --schema "$work/huge.json" "$work/t.csv" 2>"$work/err" || rc=$?
[ "$rc" = 2 ] || fail "huge: exit $rc"
grep -q 'huge.json" is larger than 64 MiB, the most a descriptor may be' "$work/err" || fail "huge: $(cat "$work/err")"

# Out of memory for real: an address-space limit below what the 1.5 million-value
# schema needs.  (ASan reserves terabytes of address space: not under a sanitizer.)
if "$v" --version >/dev/null 2>&1 && ! nm "$v" 2>/dev/null | grep -q __asan_init; then
	rc=0
	(ulimit -v 200000 && exec "$v" --schema "$work/big-ok.json" "$work/t.csv") >/dev/null 2>"$work/err" || rc=$?
	[ "$rc" = 3 ] || fail "out of memory: exit $rc: $(cat "$work/err")"
	grep -q 'out of memory' "$work/err" || fail "out of memory message: $(cat "$work/err")"
	grep -q 'invalid JSON' "$work/err" && fail "out of memory reported as invalid JSON"
	# and with room, the same schema works
	rc=0
	"$v" --schema "$work/big-ok.json" "$work/t.csv" >/dev/null 2>"$work/err" || rc=$?
	[ "$rc" = 1 ] || fail "big-ok: exit $rc: $(cat "$work/err")"
fi
exit 0
