#!/bin/sh
# kplan-validate on the harunobu fixture suite (tests/peer/harunobu, CSV and xlsx): every
# case must be right except those in harunobu-known-misses.txt; a listed case that is
# now right fails too, so the list is kept true (the score can only go up).
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
py=${KPLAN_PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" "$top/tests/peer/peer-score-harunobu" "$bin/kplan-validate" "$top/tests/peer/harunobu" -v \
	>"$work/out" || true
grep -v '^harunobu:' "$work/out" | sed 's/: \(missed\|false\|no JSON\|exit\).*//' | sort >"$work/misses"
sort "$top/tests/peer/harunobu-known-misses.txt" >"$work/known"
status=0
new=$(comm -23 "$work/misses" "$work/known")
fixed=$(comm -13 "$work/misses" "$work/known")
if [ -n "$new" ]; then
	echo "FAIL: cases harunobu gets right and kplan no longer does:" >&2
	grep -F "$new" "$work/out" >&2 || echo "$new" >&2
	status=1
fi
if [ -n "$fixed" ]; then
	echo "FAIL: now right, remove from tests/peer/harunobu-known-misses.txt:" >&2
	echo "$fixed" >&2
	status=1
fi
grep '^harunobu:' "$work/out"
exit $status
