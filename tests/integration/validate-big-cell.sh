#!/bin/sh
# A cell of several MB that goes through libcsv (it holds a line break) is read in one
# go: libcsv's buffer grows by doubling, not 128 bytes at a time (which took about a
# minute and 400 MB under ASan).  The bound is generous: it catches the quadratic
# growth, not a slow machine.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '{"fields":[{"name":"a","type":"integer"},{"name":"b","type":"string"}]}\n' >"$work/s.json"
{
	printf 'a,b\r\n1,"'
	head -c 1900000 /dev/zero | tr '\0' x
	printf '\r\n'
	head -c 1900000 /dev/zero | tr '\0' y
	printf '"\r\n2,z\r\n'
} >"$work/t.csv"
rc=0
timeout 10 "$KPLAN_BIN/kplan-validate" --schema "$work/s.json" "$work/t.csv" >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || { echo "exit $rc (124: timed out)"; cat "$work/err"; exit 1; }
grep -q "t.csv:2:2: error: \[line-break-in-cell L1-14\]" "$work/out" "$work/err" || { cat "$work/out" "$work/err"; exit 1; }
grep -q "invalid: 2 rows" "$work/out" "$work/err" || { cat "$work/out" "$work/err"; exit 1; }
