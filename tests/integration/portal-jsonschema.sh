#!/bin/sh
# schemas/portal/dataset.schema.json (the JSON Schema twin of portal.json) is a valid
# draft-07 schema, accepts the shipped datapackage.json, and rejects broken copies
# at the same keys that kp_portal_check reports.
set -eu
top=${KPLAN_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
py=${KPLAN_PYTHON:-/usr/bin/python3}
"$py" - "$top" <<'PY'
import copy, json, sys
import jsonschema
top = sys.argv[1]
schema = json.load(open(top + "/schemas/portal/dataset.schema.json", encoding="utf-8"))
jsonschema.Draft7Validator.check_schema(schema)
v = jsonschema.Draft7Validator(schema)
pkg = json.load(open(top + "/schemas/kanazawa-plan/datapackage.json", encoding="utf-8"))
errs = [e.message for e in v.iter_errors(pkg)]
assert not errs, errs
def broken(edit):
    d = copy.deepcopy(pkg)
    edit(d)
    return [list(e.absolute_path) for e in v.iter_errors(d)]
cases = [
    (lambda d: d.pop("title"), []),
    (lambda d: d["dcat"].update(lg_code="17201"), ["dcat", "lg_code"]),
    (lambda d: d["dcat"]["contact"].pop("url"), ["dcat", "contact"]),
    (lambda d: d["licenses"][0].update(name="MIT"), ["licenses", 0, "name"]),
    (lambda d: d["resources"][1].update(encoding="shift_jis"), ["resources", 1, "encoding"]),
    (lambda d: d["dcat"].update(issued="2019/04/01"), ["dcat", "issued"]),
]
for i, (edit, path) in enumerate(cases):
    got = broken(edit)
    assert path in got, (i, path, got)
print("ok")
PY
