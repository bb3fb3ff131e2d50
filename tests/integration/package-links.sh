#!/bin/sh
# Resource files must be regular files inside the package folder: a symbolic link that
# leads out of it is refused by validate, export and upload (nothing read, nothing
# sent); a link inside the folder is fine; a FIFO is refused at once, never waited on.
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
v="$KPLAN_BIN/kplan-validate" x="$KPLAN_BIN/kplan-export" u="$KPLAN_BIN/kplan-upload"
mkdir "$work/pkg" "$work/elsewhere"
printf 'id,secret\r\n1,not for the portal\r\n' >"$work/elsewhere/private.csv"
printf 'id,secret\r\n1,fine\r\n' >"$work/pkg/real.csv"
cat >"$work/pkg/datapackage.json" <<'JSON'
{"name": "links", "dcat": {"landing_page": "https://example.org/d", "download_base": "https://example.org/dl"}, "resources": [{"name": "t", "path": "t.csv",
  "schema": {"fields": [{"name": "id", "type": "integer"}, {"name": "secret", "type": "string"}]}}]}
JSON
run() { # expected status, then the command
	want=$1
	shift
	rc=0
	timeout 20 "$@" >"$work/out" 2>"$work/err" || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc (expected $want): $* : $(cat "$work/out" "$work/err")"
}

# a link out of the folder
ln -s ../elsewhere/private.csv "$work/pkg/t.csv"
run 3 "$v" --package "$work/pkg"
grep -q 't.csv" leads to ".*/elsewhere/private.csv", outside the package folder' "$work/out" "$work/err" ||
	fail "validate message: $(cat "$work/err")"
run 3 "$x" --package "$work/pkg" -o "$work/out1" --format csv
grep -q 'outside the package folder' "$work/out" "$work/err" || fail "export message: $(cat "$work/err")"
[ ! -e "$work/out1" ] || fail "export created OUT"
ls -A "$work" | grep -q kplan && fail "export left a stage"

# a link to a file inside the folder is read like the file
rm "$work/pkg/t.csv"
ln -s real.csv "$work/pkg/t.csv"
run 0 "$v" --package "$work/pkg"

# a FIFO: refused at once, by validate and export
rm "$work/pkg/t.csv"
mkfifo "$work/pkg/t.csv"
run 3 "$v" --package "$work/pkg"
grep -q 't.csv" is a FIFO (named pipe): a table is read only from a regular file' "$work/out" "$work/err" ||
	fail "FIFO message: $(cat "$work/err")"
run 3 "$x" --package "$work/pkg" -o "$work/out2" --format csv
[ ! -e "$work/out2" ] || fail "export (FIFO) created OUT"

# upload: an exported folder whose file was replaced by a link out of it
rm "$work/pkg/t.csv"
cp "$work/pkg/real.csv" "$work/pkg/t.csv"
"$x" --package "$work/pkg" -o "$work/dist"
rm "$work/dist/t.csv"
ln -s ../elsewhere/private.csv "$work/dist/t.csv"
run 3 env KPLAN_TOKEN=x "$u" --put http://127.0.0.1:9/x --insecure-http "$work/dist/datapackage.json"
grep -q 'outside the package folder' "$work/out" "$work/err" || fail "upload message: $(cat "$work/err")"
