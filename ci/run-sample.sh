#!/bin/sh
# `make run`: the main job on the bundled sample —
#   import the plan document → validate the tables → export CSV, JSON, RDF/XML and
#   datapackage.json into dist/ — then a short summary.  Upload needs a portal and a
#   token: see ci/publish.sh and the README.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/${BUILD:-build}/bin"
dist="$top/dist"
sample="$top/samples/kanazawa-2019"
pkg="$top/schemas/kanazawa-plan"

step() { printf '\n== %s\n' "$*"; }

step "kplan-import: $sample/plan.md -> dist/source/"
"$bin/kplan-import" -o "$dist/source" "$sample/plan.md"
for t in items targets glossary; do
	printf '  %-14s %6d rows\n' "$t.csv" $(($(wc -l <"$dist/source/$t.csv") - 1))
done

step "kplan-validate: dist/source/ against schemas/kanazawa-plan"
"$bin/kplan-validate" --package "$pkg" --data "$dist/source"

step "kplan-export --format all: dist/source/ -> dist/"
"$bin/kplan-export" --package "$pkg" --data "$dist/source" --format all -o "$dist"
(cd "$dist" && for f in *.csv *.json *.rdf; do
	[ -f "$f" ] && printf '  %-34s %9d bytes\n' "$f" "$(wc -c <"$f")"
done)

step "done: portal-ready files are in dist/ (upload with kplan-upload dist/datapackage.json)"
