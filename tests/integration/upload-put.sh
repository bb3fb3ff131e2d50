# kplan-upload --put against nginx (DAV): dry run, upload, second run makes no PUT,
# a changed file alone is sent again, 413 for a body over the limit, 403 for a wrong token.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_nginx
fresh_pkg
put() { KPLAN_TOKEN=$TOKEN kplan-upload --insecure-http --timeout 5 --retry-delay 50 "$@" "$work/pkg/datapackage.json"; }

put --put "$NGINX/opendata/kplan" --dry-run >"$work/out" 2>"$work/err" || fail "dry run: $(cat "$work/err")"
[ "$(grep -c '^put file .* (planned)$' "$work/out")" = 4 ] || fail "dry run plan: $(cat "$work/out")"
[ "$(puts)" = 0 ] || fail "dry run sent a PUT"

put --put "$NGINX/opendata/kplan" >"$work/out" 2>"$work/err" || fail "first run: $(cat "$work/err")"
for f in items.csv targets.csv items.json datapackage.json; do
	cmp -s "$work/pkg/$f" "$ngx/www/opendata/kplan/$f" || fail "$f not stored as sent"
	[ "$(cat "$ngx/www/opendata/kplan/$f.sha256")" = "$(sha256sum <"$work/pkg/$f" | cut -c1-64)" ] ||
		fail "$f.sha256 wrong"
done
[ "$(puts)" = 8 ] || fail "first run: $(puts) PUTs, expected 8 (4 files, 4 digests)"

# The fixture's download_base is not the PUT server: the record's links would lead
# nowhere, and the upload says so (once); with the server's address, nothing is said.
[ "$(grep -c 'warning: \[download-base\] the published record names the files at https://opendata.example.jp/kplan/ (dcat.download_base) and --put stores them at http://127.0.0.1:[0-9]*/opendata/kplan/' "$work/err")" = 1 ] ||
	fail "no warning of a download_base elsewhere: $(cat "$work/err")"

# Second run: HEAD and GET only.
put --put "$NGINX/opendata/kplan/" >"$work/out" 2>"$work/err" || fail "second run: $(cat "$work/err")"
sed "s|https://opendata.example.jp/kplan/|$NGINX/opendata/kplan/|" "$work/pkg/datapackage.json" >"$work/pkg/here.json"
KPLAN_TOKEN=$TOKEN kplan-upload --insecure-http --dry-run --put "$NGINX/opendata/kplan/" "$work/pkg/here.json" \
	>/dev/null 2>"$work/err2" || fail "dry run with the server's address: $(cat "$work/err2")"
rm "$work/pkg/here.json"
! grep -q 'download-base' "$work/err2" || fail "a warning with the right download_base: $(cat "$work/err2")"
[ "$(puts)" = 8 ] || fail "second run sent PUTs"
[ "$(grep -c '^skip file' "$work/out")" = 4 ] || fail "second run plan: $(cat "$work/out")"

# A changed file: it and the descriptor (whose hash changed) go again, nothing else.
edit_file targets.csv "172014,石川県金沢市,2,2022,120,件"
put --put "$NGINX/opendata/kplan" >"$work/out" 2>"$work/err" || fail "changed run: $(cat "$work/err")"
[ "$(puts)" = 12 ] || fail "changed run: $(puts) PUTs, expected 12"
grep -q '^put file "targets.csv" (done)' "$work/out" || fail "$(cat "$work/out")"
grep -q '^skip file "items.csv"' "$work/out" || fail "$(cat "$work/out")"
cmp -s "$work/pkg/targets.csv" "$ngx/www/opendata/kplan/targets.csv" || fail "targets.csv not updated"

# A stale digest (the run was cut between file and digest) makes the file go again.
printf 'stale\n' >"$ngx/www/opendata/kplan/items.csv.sha256"
put --put "$NGINX/opendata/kplan" >"$work/out" 2>"$work/err" || fail "stale run: $(cat "$work/err")"
grep -q '^put file "items.csv" (done)' "$work/out" || fail "stale digest ignored: $(cat "$work/out")"

# 413 from nginx's body limit: exit 4, named, and what remains listed.
rc=0
put --put "$NGINX/small" >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "413: exit $rc"
grep -q 'HTTP 413 (413 Request Entity Too Large), an HTML page.*larger than the server accepts' "$work/err" ||
	fail "413 message: $(cat "$work/err")"
grep -q 'remain' "$work/out" || fail "413: no account of what remains"

# A wrong token: 403, exit 4.
rc=0
KPLAN_TOKEN=wrong kplan-upload --insecure-http --put "$NGINX/other" "$work/pkg/datapackage.json" \
	>"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "wrong token: exit $rc"
grep -q 'HTTP 403' "$work/err" || fail "wrong token: $(cat "$work/err")"
[ ! -e "$ngx/www/other" ] || fail "wrong token: something was stored"
no_token_in "$work/out" "$work/err" "$ngx/access.log" "$ngx/error.log"
exit 0
