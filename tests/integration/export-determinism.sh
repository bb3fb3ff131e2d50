#!/bin/sh
# The same input gives byte-identical output; no clock unless --date or
# SOURCE_DATE_EPOCH gives one.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
data="$KPLAN_TOP/samples/kanazawa-2019"
x="$KPLAN_BIN/kplan-export"
"$x" --package "$pkg" --data "$data" -o "$work/a"
sleep 1
"$x" --package "$pkg" --data "$data" -o "$work/b"
diff -r "$work/a" "$work/b"
# No date of today anywhere.
! grep -rq "$(date -u +%Y-%m-%d)" "$work/a"
# SOURCE_DATE_EPOCH and --date stamp the same date, identically.
SOURCE_DATE_EPOCH=1768435200 "$x" --package "$pkg" --data "$data" -o "$work/c"
"$x" --package "$pkg" --data "$data" -o "$work/d" --date 2026-01-15
diff -r "$work/c" "$work/d"
grep -q '"created": "2026-01-15T00:00:00Z"' "$work/c/datapackage.json"
grep -q '>2026-01-15</dct:modified>' "$work/c/kanazawa-action-plan-2019.rdf"
! cmp -s "$work/a/datapackage.json" "$work/c/datapackage.json"
