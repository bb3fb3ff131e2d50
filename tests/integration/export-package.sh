#!/bin/sh
# kplan-export --format all: OUT/datapackage.json is a Data Package whose every file's
# bytes and sha256 hash match the file; its CSV files pass kplan-validate clean (the same
# engine, reading the exported descriptor) and read back to the source's values.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${KPLAN_PYTHON:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
data="$KPLAN_TOP/samples/kanazawa-2019"
"$KPLAN_BIN/kplan-export" --package "$pkg" --data "$data" -o "$work/out"

# Round trip: the exported CSV files are valid against the exported descriptor.
"$KPLAN_BIN/kplan-validate" --package "$work/out/datapackage.json" >"$work/validate.out" ||
	{ cat "$work/validate.out"; exit 1; }
grep -q '^kplan-validate: valid$' "$work/validate.out"
! grep -q ': \(error\|warning\): ' "$work/validate.out"

"$KPLAN_PYTHON" - "$pkg" "$data" "$work/out" <<'PY'
import csv, hashlib, json, os, re, sys
pkg, data, out = sys.argv[1:]
dp = json.load(open(os.path.join(out, "datapackage.json"), encoding="utf-8"))
src = json.load(open(os.path.join(pkg, "datapackage.json"), encoding="utf-8"))

# Data Package essentials (frictionless spec): resources with unique valid names and
# paths; dataset metadata carried over.
assert dp["profile"] == "data-package"
for k in ("name", "title", "description", "keywords", "licenses", "version", "dcat"):
    assert dp[k] == src[k], k
names = [r["name"] for r in dp["resources"]]
assert len(names) == len(set(names)), names
assert all(re.fullmatch(r"[a-z0-9._-]+", n) for n in names), names
files = sorted(r["path"] for r in dp["resources"])
assert files == sorted(f for f in os.listdir(out) if f != "datapackage.json"), files

for r in dp["resources"]:
    body = open(os.path.join(out, r["path"]), "rb").read()
    assert r["bytes"] == len(body), r["path"]
    assert r["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(), r["path"]
    assert r["encoding"] == "utf-8" and r["mediatype"] and r["format"]
    if r["format"] == "csv":
        d = r["dialect"]
        # L3-08: encoding, BOM and line endings are declared, and true.
        assert d["byteOrderMark"] is True and body.startswith(b"\xef\xbb\xbf"), r["path"]
        assert d["lineTerminator"] == "\r\n" and body.count(b"\r\n") >= body.count(b"\n") - body.count(b'"\n'), r["path"]
        assert r["profile"] == "tabular-data-resource" and r["schema"]["fields"]
        assert r["mediatype"] == "text/csv"

# Values read back the same (canonical form: numbers compared as numbers).
for r in src["resources"]:
    schema = json.load(open(os.path.join(pkg, r["schema"]), encoding="utf-8"))
    types = [f["type"] for f in schema["fields"]]
    rows = {}
    for where in (data, out):
        with open(os.path.join(where, r["path"]), encoding="utf-8-sig", newline="") as f:
            rows[where] = list(csv.reader(f))
    a, b = rows[data], rows[out]
    assert a[0] == b[0], (a[0], b[0])  # titles as the header row
    assert len(a) == len(b), r["name"]
    for x, y in zip(a[1:], b[1:]):
        for t, u, v in zip(types, x, y):
            if t in ("number", "integer") and u != "":
                assert float(u) == float(v), (r["name"], u, v)
            else:
                assert u == v, (r["name"], u, v)
# The portal's requirements (schemas/portal/dataset.schema.json, the JSON Schema twin of
# the rules kplan-upload checks) hold for the exported descriptor too.
import jsonschema
ps = json.load(open(os.path.join(pkg, "..", "portal", "dataset.schema.json"), encoding="utf-8"))
v = jsonschema.validators.validator_for(ps)(ps, format_checker=jsonschema.FormatChecker())
errs = [e.message for e in v.iter_errors(dp)]
assert not errs, errs[:5]

# Each CSVW description matches its CSV: the url, and the non-virtual columns' titles
# are the header row, in order.
for r in dp["resources"]:
    if not r["path"].endswith(".csv-metadata.json"):
        continue
    m = json.load(open(os.path.join(out, r["path"]), encoding="utf-8"))
    assert m["@context"] == "http://www.w3.org/ns/csvw"
    with open(os.path.join(out, m["url"]), encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    cols = [c for c in m["tableSchema"]["columns"] if not c.get("virtual")]
    assert [c["titles"] for c in cols] == header, (r["path"], header)
    assert all(c["datatype"] in ("string", "integer", "decimal", "boolean", "date", "gYear") for c in cols)
    assert m["dialect"]["lineTerminators"] == ["\r\n"] and m["dialect"]["header"] is True

# Each table's JSON file carries its JSON Schema (the one shipped in json/, embedded), and
# a consumer holding only OUT validates the file with it; a broken value fails.
jsons = [r for r in dp["resources"] if r["format"] == "json" and r["path"].endswith(".json")
         and not r["path"].endswith("-metadata.json") and r["path"] != "datapackage.json"]
assert sorted(r["path"] for r in jsons) == ["glossary.json", "items.json", "targets.json"], jsons
for r in jsons:
    table = r["path"][:-len(".json")]
    shipped = json.load(open(os.path.join(pkg, "json", table + ".schema.json"), encoding="utf-8"))
    assert r["jsonSchema"] == shipped, r["path"]
    js = r["jsonSchema"]
    cls = jsonschema.validators.validator_for(js)
    cls.check_schema(js)
    doc = json.load(open(os.path.join(out, r["path"]), encoding="utf-8"))
    errs = [e.message for e in cls(js, format_checker=jsonschema.FormatChecker()).iter_errors(doc)]
    assert not errs, (r["path"], errs[:5])
    bad = doc[:1]
    bad[0] = dict(bad[0])
    key = next(k for k, p in js["items"]["properties"].items() if "integer" in str(p.get("type")))
    bad[0][key] = "not a number"
    assert list(cls(js).iter_errors(bad)), (r["path"], key)
for r in dp["resources"]:
    if r not in jsons:
        assert "jsonSchema" not in r, r["path"]
print("package ok")
PY
