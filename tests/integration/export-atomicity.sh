#!/bin/sh
# All or nothing: a failed export leaves the previous OUT exactly as it was and no
# temporary or backup files, whether it fails on invalid data (before writing), on
# text RDF/XML cannot carry (after the CSV and JSON were written), or on a file it
# cannot replace (after every other file was written).
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
x="$KPLAN_BIN/kplan-export"
cp -R "$KPLAN_TOP/samples/kanazawa-2019" "$work/data"
"$x" --package "$pkg" --data "$work/data" -o "$work/out" --date 2026-01-01
snapshot() { (cd "$work/out" && ls -A | sort && find . -type f | sort | xargs sha256sum) >"$1"; }
snapshot "$work/before"

expect_fail() { # status, then the command
	want=$1
	shift
	set +e
	"$@" 2>"$work/err"
	rc=$?
	set -e
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want:"; cat "$work/err"; exit 1; }
	snapshot "$work/after"
	cmp "$work/before" "$work/after" || { diff "$work/before" "$work/after"; exit 1; }
	if ls -A "$work/out" | grep -q '\.tmp\|\.bak'; then ls -A "$work/out"; exit 1; fi
}

# 1. Invalid data: a required cell emptied in glossary.csv (row 3 = the 2nd term).
awk -F, 'NR == 3 { sub(/^[^,]*,[^,]*,/, $1 ",,") } { print }' "$KPLAN_TOP/samples/kanazawa-2019/glossary.csv" \
	>"$work/data/glossary.csv"
expect_fail 1 "$x" --package "$pkg" --data "$work/data" -o "$work/out" --date 2026-02-02
grep -q 'glossary.csv:3:2: error: \[constraint-error\]' "$work/err"
cp "$KPLAN_TOP/samples/kanazawa-2019/glossary.csv" "$work/data/glossary.csv"

# 2. A noncharacter U+FFFF (valid CSV and JSON, not XML 1.0) in the last table: the CSV
#    and JSON files were already complete when the RDF writer stopped.
printf '99,制御\357\277\277文字,説明\r\n' >>"$work/data/glossary.csv"
expect_fail 1 "$x" --package "$pkg" --data "$work/data" -o "$work/out" --date 2026-02-02
grep -q 'glossary.csv:24:2: error: \[xml-char\]' "$work/err"
cp "$KPLAN_TOP/samples/kanazawa-2019/glossary.csv" "$work/data/glossary.csv"

# 3. A target that cannot be replaced (a folder named like the last file written).
mv "$work/out/datapackage.json" "$work/saved.json"
mkdir "$work/out/datapackage.json"
snapshot "$work/before"
expect_fail 3 "$x" --package "$pkg" --data "$work/data" -o "$work/out" --date 2026-02-02
grep -q 'datapackage.json.*Is a directory' "$work/err"
rmdir "$work/out/datapackage.json"
mv "$work/saved.json" "$work/out/datapackage.json"

# 4. OUT is a file, and OUT's parent is missing: I/O errors, nothing created.
: >"$work/file"
set +e
"$x" --package "$pkg" --data "$work/data" -o "$work/file" 2>/dev/null
rc1=$?
"$x" --package "$pkg" --data "$work/data" -o "$work/no/such/dir" 2>/dev/null
rc2=$?
set -e
[ "$rc1" = 3 ] && [ "$rc2" = 3 ] && [ ! -s "$work/file" ] && [ ! -e "$work/no" ]

# 5. A failed run into a new OUT leaves no OUT behind.
printf '99,制御\001文字,説明\r\n' >>"$work/data/glossary.csv"
set +e
"$x" --package "$pkg" --data "$work/data" -o "$work/fresh" 2>/dev/null
rc=$?
set -e
[ "$rc" = 1 ] && [ ! -e "$work/fresh" ]

# And a successful run after all this replaces everything at once.
cp "$KPLAN_TOP/samples/kanazawa-2019/glossary.csv" "$work/data/glossary.csv"
"$x" --package "$pkg" --data "$work/data" -o "$work/out" --date 2026-03-03
grep -q '2026-03-03' "$work/out/datapackage.json"
! ls -A "$work/out" | grep -q '\.tmp\|\.bak'
