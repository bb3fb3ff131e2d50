# Token safety: a wrong token gives a clear 403 and exit 4; the token never shows in
# output, in `ps` (arguments or environment) or /proc; a loosely protected token file,
# plain http and redirects are refused; TLS is verified (--cacert for a private CA).
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
fresh_pkg
requests() { ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c 'import json,sys; print(len(json.load(sys.stdin)["log"]))'; }

# Wrong token: runs as anonymous on CKAN, so the first write gets 403.
rc=0
KPLAN_TOKEN=not-the-token kplan-upload --portal "$CKAN" --org kanazawa --insecure-http \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "wrong token: exit $rc"
grep -q 'HTTP 403, Access denied: User  not authorized to create packages (is the token right' "$work/err" ||
	fail "wrong token message: $(cat "$work/err")"
grep -q 'remain' "$work/out" || fail "wrong token: no account of what remains"
check --absent || fail "wrong token: something was written"
grep -q 'not-the-token' "$work/out" "$work/err" && fail "the wrong token was printed"

# The token file must be private.
cp "$work/token" "$work/token.loose"
chmod 644 "$work/token.loose"
reset_log
rc=0
kplan-upload --portal "$CKAN" --org kanazawa --insecure-http --token-file "$work/token.loose" \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 2 ] || fail "loose token file: exit $rc"
grep -q 'accessible by group or others; run: chmod 600' "$work/err" || fail "loose: $(cat "$work/err")"
[ "$(requests)" = 0 ] || fail "loose token file: requests were sent"

# No token over plain http unless asked for.
rc=0
KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa "$work/pkg/datapackage.json" \
	>"$work/out" 2>"$work/err" || rc=$?
[ $rc = 2 ] || fail "plain http: exit $rc"
grep -q 'refusing to send the token over plain http' "$work/err" || fail "plain http: $(cat "$work/err")"
[ "$(requests)" = 0 ] || fail "plain http: requests were sent"

# While a run is under way (the server is slow to answer the first resource_create),
# neither its arguments nor its environment show the token.
faults '[{"action": "resource_create", "nth": 1, "kind": "slow_after_write", "seconds": 2}]'
KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --insecure-http --timeout 10 \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" &
client=$!
sleep 1
kill -0 $client 2>/dev/null || fail "the client ended too early for the ps check"
ps -eo pid,args -ww >"$work/ps" || fail "ps failed"
ps eww -p $client >"$work/ps-env" 2>&1 || true
cat "/proc/$client/cmdline" "/proc/$client/environ" >"$work/proc" 2>/dev/null || true
grep -q "kplan-upload --portal" "$work/ps" || fail "ps check did not see the client"
tr -d '\0' <"/proc/$client/environ" >"$work/environ" 2>/dev/null || true
[ ! -s "$work/environ" ] || fail "the initial environment was not wiped: $(grep -a -o 'KPLAN_TOKEN=[^ ]*' "$work/environ" | sed 's/=.*/=.../')"
no_token_in "$work/ps" "$work/ps-env" "$work/proc"
wait $client || fail "slow run failed: $(cat "$work/err")"
check || fail "slow run result"
no_token_in "$work/out" "$work/err"

# Once it holds the token the client is not dumpable: SIGABRT leaves no core file,
# where an ordinary process in the same place leaves one.
cores=$work/cores
mkdir "$cores"
core_pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '?')
faults '[{"action": "organization_show", "nth": 1, "kind": "slow_after_write", "seconds": 5}]'
(
	cd "$cores" && ulimit -c unlimited 2>/dev/null
	sh -c 'kill -ABRT $$' 2>/dev/null || true
	KPLAN_TOKEN=$TOKEN exec kplan-upload --portal "$CKAN" --org kanazawa --insecure-http \
		--timeout 10 "$work/pkg/datapackage.json" >/dev/null 2>&1
) &
sub=$!
sleep 1
pkill -ABRT -f "kplan-upload --portal $CKAN" || fail "no upload client to abort"
wait $sub 2>/dev/null || true
if [ "$core_pattern" = core ] && [ -n "$(ls "$cores")" ]; then
	# the control (sh) dumped; kplan-upload must not have
	[ "$(ls "$cores" | wc -l)" = 1 ] || fail "kplan-upload left a core dump: $(ls "$cores")"
	for c in "$cores"/*; do
		grep -q -a "$TOKEN" "$c" && fail "a core file holds the token"
	done
else
	echo "SKIP core dump check: core_pattern '$core_pattern' or no core from the control" >&2
fi
reset_log

# Same via --token-file, and with JSON output; the token file path may be shown.
reset_log
kplan-upload --portal "$CKAN" --org kanazawa --insecure-http --token-file "$work/token" -f json \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" || fail "token file run: $(cat "$work/err")"
check --writes 0 || fail "token file run wrote"
no_token_in "$work/out" "$work/err"

# A redirect is never followed (a POST would lose its body, and the token could go to
# another host): the run stops with the redirect named.
reset_log
faults '[{"action": "organization_show", "nth": 1, "kind": "redirect"}]'
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "redirect: exit $rc"
grep -q 'HTTP 301 redirect to "https://elsewhere.invalid/api/3/action/organization_show?id=kanazawa": redirects are not followed' "$work/err" ||
	fail "redirect message: $(cat "$work/err")"
[ "$(requests)" = 1 ] || fail "redirect: more than one request"

# TLS: a server with a private CA works with --cacert and fails without it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1 ||
	fail "openssl could not make a certificate"
plain=$CKAN
start_ckan --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
CKAN="https://127.0.0.1:$(cat "$work/port")"
CKAN_CA=$work/cert.pem
rc=0
KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --timeout 5 \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "TLS without the CA: exit $rc"
grep -q 'TLS failure' "$work/err" || fail "TLS message: $(cat "$work/err")"
[ "$(requests)" = 0 ] || fail "TLS: a request got through without verification"
KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --cacert "$work/cert.pem" --timeout 5 \
	"$work/pkg/datapackage.json" >"$work/out" 2>"$work/err" || fail "TLS with --cacert: $(cat "$work/err")"
check || fail "TLS upload result"
no_token_in "$work/out" "$work/err"
: "$plain"
exit 0
