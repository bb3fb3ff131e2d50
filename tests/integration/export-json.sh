#!/bin/sh
# kplan-export --format json: every JSON file validates against the JSON Schema shipped
# in schemas/kanazawa-plan/json (checked with python3-jsonschema, an independent
# validator), holds the same values as the source CSV, and a broken value is caught.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${KPLAN_PYTHON:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
data="$KPLAN_TOP/samples/kanazawa-2019"
"$KPLAN_BIN/kplan-export" --package "$pkg" --data "$data" --format json -o "$work/out"
ls "$work/out" | sort >"$work/files"
printf '%s\n' glossary.json items.json targets.json | cmp - "$work/files"

"$KPLAN_PYTHON" - "$pkg" "$data" "$work/out" <<'PY'
import csv, json, os, sys, copy
import jsonschema
pkg, data, out = sys.argv[1:]
dp = json.load(open(os.path.join(pkg, "datapackage.json"), encoding="utf-8"))
for r in dp["resources"]:
    name = r["name"]
    schema = json.load(open(os.path.join(pkg, "json", name + ".schema.json"), encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    doc = json.load(open(os.path.join(out, name + ".json"), encoding="utf-8"))
    errs = list(v.iter_errors(doc))
    assert not errs, (name, [e.message for e in errs[:5]])
    # Same values as the source, typed.
    ts = json.load(open(os.path.join(pkg, r["schema"]), encoding="utf-8"))
    with open(os.path.join(data, r["path"]), encoding="utf-8-sig", newline="") as f:
        src = list(csv.reader(f))
    assert len(doc) == len(src) - 1, (name, len(doc), len(src))
    fields = ts["fields"]
    for row, obj in zip(src[1:], doc):
        assert list(obj) == [f["name"] for f in fields]
        for f, cell in zip(fields, row):
            val = obj[f["name"]]
            if cell == "":
                assert val is None, (name, f["name"], val)
            elif f.get("separator"):
                assert val == cell.split(f["separator"]), (name, f["name"], val, cell)
            elif f["type"] == "integer":
                assert val == int(cell) and type(val) is int, (name, f["name"], val, cell)
            elif f["type"] == "number":
                assert float(cell) == val and type(val) in (int, float), (name, f["name"], val, cell)
            elif f["type"] == "boolean":
                assert val is (cell == "true"), (name, f["name"], val, cell)
            else:
                assert val == cell, (name, f["name"], val, cell)
    # The validator does reject a wrong type: the check above is not vacuous.
    bad = copy.deepcopy(doc)
    first = fields[0]["name"]
    bad[0][first] = [] if not isinstance(bad[0][first], list) else 5
    assert list(v.iter_errors(bad)), name
print("json ok")
PY
