#!/bin/sh
# kplan-export --format rdf on the plan sample: the RDF/XML parses with zero errors and
# zero warnings in rapper and in rdflib, and SPARQL finds the plan's facts as the source
# CSV files (read independently with Python's csv module) state them.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}" "${KPLAN_PYTHON:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
data="$KPLAN_TOP/samples/kanazawa-2019"
"$KPLAN_BIN/kplan-export" --package "$pkg" --data "$data" --format all -o "$work/out" --date 2026-01-15
rdf="$work/out/kanazawa-action-plan-2019.rdf"

# rapper: exit 0 means no error and no warning (2 = warnings only).
rapper -q -i rdfxml -c "$rdf" 2>"$work/rapper.err" || { cat "$work/rapper.err"; exit 1; }
[ ! -s "$work/rapper.err" ] || { echo "rapper said:"; cat "$work/rapper.err"; exit 1; }
rapper -q -i rdfxml -c "$KPLAN_TOP/schemas/kanazawa-plan/vocab.rdf"

"$KPLAN_PYTHON" - "$rdf" "$data" "$work/out" <<'PY'
import csv, hashlib, io, os, sys, warnings, logging
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

rdf, data, out = sys.argv[1:]
# Any warning rdflib gives while parsing (bad literal lexical forms, odd IRIs) is a
# failure; its own deprecation notices are not about the data.
logged = []
class H(logging.Handler):
    def emit(self, rec): logged.append(rec.getMessage())
logging.getLogger("rdflib").addHandler(H())
g = rdflib.Graph()
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    g.parse(rdf, format="xml")
    for t, o, l in g:
        if isinstance(o, Literal):
            o.toPython()  # typed literals are converted lazily: force it
caught = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
assert not logged and not caught, (logged, [str(w.message) for w in caught])

def rows(name):
    with open(os.path.join(data, name), encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))

P = """PREFIX kplan: <https://catalog-data.city.kanazawa.ishikawa.jp/dataset/172014-kanazawa-action-plan-2019/vocab#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""
def q(s): return list(g.query(P + s))

items = rows("items.csv")
head, body = items[0], items[1:]
col = {h: i for i, h in enumerate(head)}
n = q("SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kplan:ActionItem }")[0][0].toPython()
assert n == len(body) == 145, (n, len(body))

# Item 1: title and division(s), linked as organisational units.
one = next(r for r in body if r[col["取組番号"]] == "1")
res = q("""SELECT ?t WHERE { ?i a kplan:ActionItem ; dct:identifier 1 ; dct:title ?t }""")
assert [str(r[0]) for r in res] == [one[col["取組事項名"]]], res
assert res[0][0].language == "ja"
res = q("""SELECT ?l WHERE { ?i dct:identifier 1 ; kplan:department ?d .
           ?d a org:OrganizationalUnit ; rdfs:label ?l }""")
assert sorted(str(r[0]) for r in res) == sorted(one[col["担当課"]].split(";")), res

# Item 1 sits under its 取組項目 → 推進項目 → 基本方針.
res = q("""SELECT ?gl ?ml ?pl WHERE { ?i dct:identifier 1 ; kplan:group ?g .
           ?g a kplan:ActionGroup ; rdfs:label ?gl ; skos:broader ?m .
           ?m a kplan:Measure ; rdfs:label ?ml ; skos:broader ?p .
           ?p a kplan:Policy ; rdfs:label ?pl }""")
assert [(str(a), str(b), str(c)) for a, b, c in res] == \
    [(one[col["取組項目"]], one[col["推進項目"]], one[col["基本方針"]])], res

# Item 72's yearly targets: observations for 金沢市 per fiscal year.
t = rows("targets.csv")
th, tb = t[0], t[1:]
tc = {h: i for i, h in enumerate(th)}
want = sorted((int(r[tc["年度"]]), r[tc["目標値"]], r[tc["区分"]]) for r in tb if r[tc["取組番号"]] == "72")
assert len(want) == 4, want
res = q("""SELECT ?y ?v ?k WHERE { ?o a qb:Observation ; kplan:item ?i ; kplan:fiscalYear ?y ;
           kplan:targetKind ?k ;
           sdmx-dimension:refArea <http://data.e-stat.go.jp/lod/sac/C17201> .
           ?i dct:identifier 72 . OPTIONAL { ?o kplan:targetValue ?v } }""")
got = sorted((r[0].toPython(), "" if r[1] is None else str(r[1]), str(r[2])) for r in res)
assert got == want, (got, want)
for r in res:
    assert r[0].datatype == XSD.integer and (r[1] is None or r[1].datatype == XSD.decimal)

# Glossary terms linked from items.
gl = rows("glossary.csv")
res = q("SELECT ?no ?l WHERE { ?c a skos:Concept ; skos:notation ?no ; skos:prefLabel ?l }")
assert sorted((r[0].toPython(), str(r[1])) for r in res) == sorted((int(r[0]), r[1]) for r in gl[1:]), res
withrefs = [r for r in body if r[col["注記番号"]]]
res = q("SELECT (COUNT(*) AS ?n) WHERE { ?i kplan:glossaryTerm ?c . ?c a skos:Concept }")
assert res[0][0].toPython() == sum(len(r[col["注記番号"]].split(";")) for r in withrefs)

# DCAT: one dataset; every distribution's checksum and size are those of its file.
ds = q("SELECT ?d WHERE { ?c a dcat:Catalog ; dcat:dataset ?d . ?d a dcat:Dataset }")
assert len(ds) == 1
res = q("""SELECT ?url ?sum ?size WHERE { ?d a dcat:Dataset ; dcat:distribution ?x .
           ?x dcat:downloadURL ?url ; dcat:byteSize ?size ;
              spdx:checksum [ spdx:checksumValue ?sum ; spdx:algorithm ?alg ] .
           FILTER(?alg = spdx:checksumAlgorithm_sha256) }""")
names = sorted(str(r[0]).rsplit("/", 1)[1] for r in res)
assert names == sorted(f"{n}.{e}" for n in ("items", "targets", "glossary") for e in ("csv", "json")), names
for url, s, size in res:
    path = os.path.join(out, str(url).rsplit("/", 1)[1])
    body_ = open(path, "rb").read()
    assert hashlib.sha256(body_).hexdigest() == str(s), path
    assert s.datatype == XSD.hexBinary
    assert int(size) == len(body_), path
# The RDF file itself is a distribution too (without a digest of itself).
res = q("""SELECT ?m WHERE { ?x a dcat:Distribution ; dcat:mediaType ?m ;
           dcat:downloadURL ?u . FILTER(STRENDS(STR(?u), ".rdf")) }""")
assert [str(r[0]) for r in res] == ["http://www.iana.org/assignments/media-types/application/rdf+xml"], res
res = q("SELECT ?d WHERE { ?x a dcat:Distribution ; dct:issued ?d }")
assert {str(r[0]) for r in res} == {"2026-01-15"}, res
print("rdf ok:", len(g), "triples")
PY
