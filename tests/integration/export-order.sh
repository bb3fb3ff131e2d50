#!/bin/sh
# kplan-export writes while it validates, and validation goes in dependency order
# (a referenced table first).  With the plan's resources listed so that the referencing
# table comes first (targets, glossary, items), the outputs must still follow the
# package's order: the RDF file holds the tables in that order (the ones validated
# early wait in a spool), datapackage.json lists them so, and every per-table file is
# the same as with the usual order; the RDF graph is the same graph.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${KPLAN_PYTHON:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$KPLAN_TOP/samples/kanazawa-2019"
cp -r "$KPLAN_TOP/schemas/kanazawa-plan" "$work/pkg"
"$KPLAN_PYTHON" - "$work/pkg/datapackage.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p, encoding="utf-8"))
by = {r["name"]: r for r in d["resources"]}
assert set(by) == {"items", "targets", "glossary"}, sorted(by)
d["resources"] = [by["targets"], by["glossary"], by["items"]]
json.dump(d, open(p, "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
"$KPLAN_BIN/kplan-export" --package "$KPLAN_TOP/schemas/kanazawa-plan" --data "$data" \
	--format all -o "$work/usual" --date 2026-01-15
"$KPLAN_BIN/kplan-export" --package "$work/pkg" --data "$data" --format all -o "$work/moved" \
	--date 2026-01-15
for t in items targets glossary; do
	for ext in csv json csv-metadata.json; do
		cmp "$work/usual/$t.$ext" "$work/moved/$t.$ext"
	done
done
# Nothing but the outputs in OUT (no spool, no temporary file).
ls -A "$work/moved" | LC_ALL=C sort | tr '\n' ' ' >"$work/ls"
printf %s "datapackage.json glossary.csv glossary.csv-metadata.json glossary.json items.csv items.csv-metadata.json items.json kanazawa-action-plan-2019.rdf targets.csv targets.csv-metadata.json targets.json " |
	cmp - "$work/ls"
rapper -q -i rdfxml -c "$work/moved/kanazawa-action-plan-2019.rdf"

"$KPLAN_PYTHON" - "$work" <<'PY'
import json, re, sys
import rdflib
from rdflib.compare import isomorphic
w = sys.argv[1]
base = "https://catalog-data.city.kanazawa.ishikawa.jp/dataset/172014-kanazawa-action-plan-2019/"
rdf = open(w + "/moved/kanazawa-action-plan-2019.rdf", encoding="utf-8").read()
# First subject of each table, by its IRI pattern: tables in the package's order.
first = {}
for m in re.finditer(r'<rdf:Description rdf:about="' + re.escape(base) + r'(target|term|item)/', rdf):
    first.setdefault(m.group(1), m.start())
assert set(first) == {"target", "term", "item"}, first
assert first["target"] < first["term"] < first["item"], first
# Each table's subjects form one block: no table starts again after another one.
seq = [m.group(1) for m in re.finditer(
    r'^  <rdf:Description rdf:about="' + re.escape(base) + r'(target|term|item)/', rdf, re.M)]
blocks = [k for i, k in enumerate(seq) if i == 0 or seq[i - 1] != k]
assert blocks == ["target", "term", "item"], blocks
dp = json.load(open(w + "/moved/datapackage.json", encoding="utf-8"))
paths = [r["path"] for r in dp["resources"]]
assert [p for p in paths if p.endswith(".csv")] == ["targets.csv", "glossary.csv", "items.csv"], paths
g1 = rdflib.Graph().parse(w + "/usual/kanazawa-action-plan-2019.rdf", format="xml")
g2 = rdflib.Graph().parse(w + "/moved/kanazawa-action-plan-2019.rdf", format="xml")
assert len(g1) == len(g2) and isomorphic(g1, g2), (len(g1), len(g2))
PY
