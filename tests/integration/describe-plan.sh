#!/bin/sh
# kplan-describe on the plan tables: every type it infers agrees with the hand-written
# schemas/kanazawa-plan; the draft validates its own table with no label finding.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
PY=${KPLAN_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in items targets glossary; do
	"$KPLAN_BIN/kplan-describe" -o "$work/$t.json" "$KPLAN_TOP/samples/kanazawa-2019/$t.csv"
	"$PY" - "$work/$t.json" "$KPLAN_TOP/schemas/kanazawa-plan/$t.schema.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
want = {}
for f in s["fields"]:
    want[f.get("title", f["name"])] = f.get("type", "string")
bad = [(f["name"], f["type"], want.get(f["name"])) for f in d["fields"] if want.get(f["name"]) != f["type"]]
assert not bad and len(d["fields"]) == len(s["fields"]), (sys.argv[2], bad)
PY
	rc=0
	"$KPLAN_BIN/kplan-validate" --schema "$work/$t.json" "$KPLAN_TOP/samples/kanazawa-2019/$t.csv" >"$work/out" 2>&1 || rc=$?
	if grep -q 'label\]' "$work/out"; then cat "$work/out"; exit 1; fi
	[ "$rc" = 0 ] || { echo "$t: the draft does not validate its own table:"; cat "$work/out"; exit 1; }
done
