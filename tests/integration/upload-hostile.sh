# Hostile servers: an answer trickled after a multipart upload or a PUT ends within the
# --timeout bound (exit 4, the bound named) instead of hanging; a portal error that
# echoes the token is reported as the portal's message with the token masked.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
fresh_pkg

# bounded: runs "$@" in the background and fails if it is still running after $1 s
bounded() {
	limit=$1
	shift
	"$@" >"$work/out" 2>"$work/err" &
	pid=$!
	i=0
	while kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((limit * 10)) ]; then
			kill $pid 2>/dev/null
			wait $pid 2>/dev/null || true
			fail "still waiting after ${limit} s: $*"
		fi
		sleep 0.1
	done
	rc=0
	wait $pid || rc=$?
}

# 1. CKAN: the first resource_create (a multipart upload) is answered 2 bytes every
#    0.5 s for a minute.  With --timeout 2 the client gives up about 2 s after sending,
#    looks (package_show), finds the resource stored and goes on: the run completes.
faults '[{"action": "resource_create", "nth": 1, "kind": "trickle_after_write", "seconds": 60}]'
bounded 20 env KPLAN_TOKEN="$TOKEN" kplan-upload --portal "$CKAN" --org kanazawa --insecure-http \
	--timeout 2 --retries 1 "$work/pkg/datapackage.json"
[ "$rc" = 0 ] || fail "trickle (multipart): exit $rc: $(cat "$work/err")"
check || fail "trickle (multipart): wrong portal state"
ckan_curl "$CKAN/_test/state" | "$KPLAN_PYTHON" -c '
import json, sys
log = json.load(sys.stdin)["log"]
i = [e["status"] for e in log].index("trickling")
assert log[i + 1]["action"] == "package_show", log
' || fail "trickle (multipart): the cut request was not followed by a check"
no_token_in "$work/out" "$work/err"

# 2. The portal's error message quotes the token: the message is shown (not "not an
#    API answer"), with the token masked.
reset_all
faults '[{"action": "organization_show", "nth": 1, "kind": "echo_token_403"}]'
rc=0
upload >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 4 ] || fail "echoed token: exit $rc"
grep -q 'Access denied: token \*\*\* is not valid here' "$work/err" ||
	fail "echoed token message: $(cat "$work/err")"
grep -q 'not an API answer' "$work/err" && fail "echoed token: reported as not an API answer"
no_token_in "$work/out" "$work/err"

# 3. PUT: nginx answers a PUT under /trickle/ at 4 bytes a second.
start_nginx
bounded 20 env KPLAN_TOKEN="$TOKEN" kplan-upload --insecure-http --timeout 2 --retries 1 \
	--put "$NGINX/trickle/x" "$work/pkg/datapackage.json"
[ "$rc" = 4 ] || fail "trickle (PUT): exit $rc: $(cat "$work/err")"
grep -q 'no complete answer within 2 s after the upload was sent' "$work/err" ||
	fail "trickle (PUT) message: $(cat "$work/err")"
no_token_in "$work/out" "$work/err"
exit 0
