# A run killed (SIGKILL) at any request — before or after the server committed it —
# and then run again ends with exactly the right resources.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
fresh_pkg

hung_at() { # prints the number of the request now hanging, if any
	curl -fsS "$CKAN/_test/state" | "$KPLAN_PYTHON" -c '
import json, sys
print(" ".join(str(l["n"]) for l in json.load(sys.stdin)["log"] if l["status"] == "hung"))'
}

# interrupt SETUP N KIND: kill the client while request N hangs, then rerun.
interrupt() {
	setup=$1 at=$2 kind=$3
	reset_all
	fresh_pkg
	if [ "$setup" = changed ]; then
		upload >/dev/null 2>&1 || fail "setup run failed"
		edit_file items.csv "172014,石川県金沢市,3,新しい取組"
		edit_file targets.csv "172014,石川県金沢市,3,2022,1,件"
		sed 's/"version": "1.0.0"/"version": "2.0.0"/' "$work/pkg/datapackage.json" >"$work/dp" &&
			mv "$work/dp" "$work/pkg/datapackage.json"
	fi
	reset_log
	faults "[{\"at\": $at, \"kind\": \"$kind\", \"seconds\": 60}]"
	KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --insecure-http --timeout 60 \
		"$work/pkg/datapackage.json" >"$work/out" 2>&1 &
	client=$!
	i=0
	while :; do
		h=$(hung_at)
		[ -n "$h" ] && break
		if ! kill -0 $client 2>/dev/null; then
			wait $client || true
			return 1 # the run finished before request $at: no more requests to cut
		fi
		i=$((i + 1))
		[ $i -lt 200 ] || fail "request $at never arrived"
		sleep 0.05
	done
	kill -9 $client
	wait $client 2>/dev/null || true
	upload >"$work/out2" 2>&1 || fail "rerun after a kill at request $at ($kind, $setup) failed: $(cat "$work/out2")"
	check || fail "kill at request $at ($kind, $setup): wrong portal state"
	no_token_in "$work/out" "$work/out2"
	return 0
}

count=0
for setup in fresh changed; do
	for kind in hang_before_write hang_after_write; do
		at=1
		while interrupt $setup $at $kind; do
			count=$((count + 1))
			at=$((at + 1))
		done
		[ $at -gt 3 ] || fail "$setup/$kind: only $((at - 1)) requests were cut"
	done
done

# Killed in the middle of sending a file (8 MiB, more than the socket buffers hold,
# read slowly by the server): the truncated body is not acted upon, and the rerun
# uploads the whole file once.
reset_all
fresh_pkg
head -c 4194304 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 8388608 >"$work/pkg/items.json"
"$KPLAN_PYTHON" "$KPLAN_TOP/tests/fixtures/upload/mkpkg.py" "$work/pkg"
for setup in create patch; do
	reset_log
	if [ $setup = patch ]; then
		head -c 4194304 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 8388608 >"$work/pkg/items.json"
		"$KPLAN_PYTHON" "$KPLAN_TOP/tests/fixtures/upload/mkpkg.py" "$work/pkg"
		action=resource_patch
	else
		action=resource_create
	fi
	faults "[{\"action\": \"$action\", \"nth\": $([ $setup = create ] && echo 3 || echo 1), \"kind\": \"slow_read_body\"}]"
	KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --insecure-http --timeout 60 \
		"$work/pkg/datapackage.json" >"$work/out" 2>&1 &
	client=$!
	i=0
	until ckan_curl "$CKAN/_test/state" | grep -q '"status": "reading"'; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the slow upload ($setup) never started"
		kill -0 $client 2>/dev/null || fail "the client ended before the slow upload ($setup)"
		sleep 0.05
	done
	sleep 0.5 # part of the body is in
	kill -9 $client
	wait $client 2>/dev/null || true
	i=0
	until ckan_curl "$CKAN/_test/state" | grep -q '"status": "truncated"'; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the server did not see a truncated body ($setup)"
		sleep 0.05
	done
	upload >"$work/out2" 2>&1 || fail "rerun after a kill mid-body ($setup): $(cat "$work/out2")"
	check || fail "kill mid-body ($setup): wrong portal state"
	count=$((count + 1))
done
echo "$count interruptions survived"
