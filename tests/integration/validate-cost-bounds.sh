#!/bin/sh
# Small inputs that used to cost quadratic or exponential CPU finish in seconds:
#   a header of 99,990 labels (each compared with every earlier one: 27 s),
#   an enum of 1,000,000 values over 40,000 rows (a linear scan per cell: over a minute),
#   the ambiguous pattern (a|aa)*c on a 20,000-character and a 4 MB cell (backtracking:
#   10 s for the first, days for the second).
# Bounds are generous (30 s each, under ASan too): they catch the blow-up, not a
# slow machine.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
PY=${KPLAN_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
v="$KPLAN_BIN/kplan-validate"
"$PY" - "$work" <<'PY'
import json, os, sys
w = sys.argv[1]
n = 99990
json.dump({"fields": [{"name": "c%d" % i} for i in range(n)]}, open(os.path.join(w, "wide.json"), "w"))
with open(os.path.join(w, "wide.csv"), "w") as f:
    f.write(",".join("c%d" % i for i in range(n - 1)) + ",c7\r\n" + ",".join("1" for _ in range(n)) + "\r\n")
vals = ["v%07d" % i for i in range(1000000)]
json.dump({"fields": [{"name": "code", "type": "string", "constraints": {"enum": vals}},
                      {"name": "n", "type": "integer", "constraints": {"enum": list(range(0, 2000000, 2))}}]},
          open(os.path.join(w, "enum.json"), "w"))
with open(os.path.join(w, "enum.csv"), "w") as f:
    f.write("code,n\r\n")
    for i in range(40000):
        f.write("v%07d,%d\r\n" % (i * 37 % 1000000, i * 74 % 2000000))
    f.write("x0000001,3\r\n")
json.dump({"fields": [{"name": "s", "type": "string", "constraints": {"pattern": "(a|aa)*c"}}]},
          open(os.path.join(w, "pat.json"), "w"))
with open(os.path.join(w, "pat.csv"), "w") as f:
    f.write("s\r\n" + "a" * 20000 + "\r\n" + "a" * 20000 + "c\r\n" + "a" * 4000000 + "\r\n")
PY
run() { # expected status, then the arguments
	want=$1
	shift
	rc=0
	timeout 30 "$v" "$@" >"$work/out" 2>"$work/err" || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc (124: timed out), expected $want: $*: $(head -c 600 "$work/out" "$work/err")"
}
run 1 --schema "$work/wide.json" "$work/wide.csv"
grep -q "wide.csv:1:99990: error: \[duplicate-label" "$work/out" || fail "duplicate label: $(head -c 600 "$work/out")"
[ "$(grep -c 'error:' "$work/out")" = 1 ] || fail "wide: more than the one finding"
run 1 --schema "$work/enum.json" "$work/enum.csv"
grep -q "enum.csv:40002:1: error: \[constraint-error" "$work/out" || fail "enum (text): $(head -c 600 "$work/out")"
grep -q "enum.csv:40002:2: error: \[constraint-error" "$work/out" || fail "enum (integer): $(head -c 600 "$work/out")"
[ "$(grep -c 'error:' "$work/out")" = 2 ] || fail "enum: findings: $(head -c 600 "$work/out")"
run 1 --schema "$work/pat.json" "$work/pat.csv"
grep -q "pat.csv:2:1: error: \[constraint-error" "$work/out" || fail "pattern row 2: $(head -c 600 "$work/out")"
grep -q "pat.csv:3:1" "$work/out" && fail "pattern row 3 matches: $(head -c 600 "$work/out")"
grep -q "pat.csv:4:1: error: \[constraint-error" "$work/out" || fail "pattern row 4: $(head -c 600 "$work/out")"
exit 0
