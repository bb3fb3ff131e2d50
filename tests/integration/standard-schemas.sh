#!/bin/sh
# Every shipped standard schema (schemas/standard/): build.py --check finds the files as
# datasets.json builds them; each schema loads; a valid table of it (UTF-8, CP932, with
# an extra local column) passes and is recognised from its header alone, as itself; and
# each mistake real files have (tests/standard/samples.py) gives its finding, on its
# column, with no schema given.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
PY=${KPLAN_PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" "$KPLAN_TOP/schemas/standard/build.py" --check
"$PY" "$KPLAN_TOP/tests/standard/samples.py" "$KPLAN_TOP/schemas/standard" "$work"
"$PY" - "$work/cases.json" "$KPLAN_BIN/kplan-validate" <<'PY'
import json, subprocess, sys
cases = json.load(open(sys.argv[1], encoding='utf-8'))
tool = sys.argv[2]
bad = []
for c in cases:
    p = subprocess.run([tool, '--format', 'json', c['file']], capture_output=True)
    try:
        t = json.loads(p.stdout)['tables'][0]
    except Exception:
        bad.append(f"{c['key']}/{c['case']}: no report (exit {p.returncode}): {p.stderr[:300]!r}")
        continue
    got_std = (t.get('standard') or {}).get('key')
    if got_std != c['key']:
        bad.append(f"{c['key']}/{c['case']}: recognised as {got_std}")
    errs = t['errors']
    found = [(f['code'], f.get('field'), f['message']) for f in t['errors'] + t['warnings']]
    if c['valid'] and errs:
        bad.append(f"{c['key']}/{c['case']}: valid table has errors {[(f['code'], f['message'][:80]) for f in errs]}")
    for code, field, says in c['expect']:
        if not any(fc == code and (field is None or ff == field) and (not says or says in fm)
                   for fc, ff, fm in found):
            bad.append(f"{c['key']}/{c['case']}: no {code} on {field} saying {says!r} (got {found})")
    if not c['valid'] and not errs and c['case'] not in ('recommended-empty', 'list-separator'):
        bad.append(f"{c['key']}/{c['case']}: no error at all")
print(f"standard schemas: {len(cases)} tables, {len(bad)} wrong")
for b in bad:
    print('  ' + b)
sys.exit(1 if bad else 0)
PY

# Published: a table of a standard dataset, described and exported, says in its DCAT
# that the dataset conforms to the standard (rapper parses the RDF/XML).
mkdir "$work/pk"
cp "$work/08-aed-new/valid.csv" "$work/pk/aed.csv"
(cd "$work/pk" && "$KPLAN_BIN/kplan-describe" --package -o datapackage.json aed.csv)
SOURCE_DATE_EPOCH=1700000000 "$KPLAN_BIN/kplan-export" --package "$work/pk/datapackage.json" -o "$work/out" --format rdf
rapper -q -i rdfxml -o ntriples "$work/out/aed.rdf" >"$work/aed.nt"
grep -q 'http://purl.org/dc/terms/conformsTo' "$work/aed.nt" || { echo "no dct:conformsTo in the DCAT"; exit 1; }
"$PY" - "$work/aed.nt" <<'PY'
import sys
# N-Triples escapes non-ASCII as \uXXXX: read it back
nt = open(sys.argv[1], encoding='ascii').read().encode().decode('unicode_escape')
node = [l.split()[2] for l in nt.splitlines() if '/dc/terms/conformsTo>' in l]
titles = [l for l in nt.splitlines() if node and l.startswith(node[0] + ' ') and '/dc/terms/title>' in l]
assert titles and '"自治体標準オープンデータセット 08 AED設置箇所一覧"@ja' in titles[0], (node, titles)
PY
for p in http://schema.org/name http://schema.org/latitude http://purl.org/dc/terms/spatial; do
	grep -q "<$p>" "$work/aed.nt" || { echo "the rows' RDF has no <$p>"; exit 1; }
done
grep -q '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Place>' "$work/aed.nt" ||
	{ echo "the rows are not schema:Place"; exit 1; }
echo "standard schemas: the exported DCAT conforms to 08 AED設置箇所一覧; rows are schema:Place"
