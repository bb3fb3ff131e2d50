# Every injected fault on every kind of request: the run either finishes (when a retry
# is safe) or stops with exit 4, and a rerun ends with exactly the right resources —
# never a duplicate dataset or resource.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
start_ckan
fresh_pkg

# case ACTION NTH KIND EXPECTED_EXIT [setup]
#   setup "fresh": empty portal (creates happen); "changed": portal populated, then one
#   file and the title change (patches happen).
n=0
case_() {
	action=$1 nth=$2 kind=$3 want=$4 setup=$5
	n=$((n + 1))
	reset_all
	fresh_pkg
	if [ "$setup" = changed ]; then
		upload >/dev/null 2>&1 || fail "setup run failed"
		edit_file targets.csv "172014,石川県金沢市,2,2022,120,件"
		sed 's/"version": "1.0.0"/"version": "1.0.1"/' "$work/pkg/datapackage.json" >"$work/dp" &&
			mv "$work/dp" "$work/pkg/datapackage.json"
	fi
	reset_log
	faults "[{\"action\": \"$action\", \"nth\": $nth, \"kind\": \"$kind\", \"seconds\": 3}]"
	rc=0
	upload >"$work/out.$n" 2>"$work/err.$n" || rc=$?
	[ "$rc" = "$want" ] ||
		fail "$action#$nth $kind: exit $rc, expected $want: $(cat "$work/err.$n" "$work/out.$n")"
	no_token_in "$work/out.$n" "$work/err.$n"
	if [ "$rc" != 0 ]; then
		grep -q 'remain' "$work/out.$n" || fail "$action $kind: no account of what remains"
		upload >"$work/out2.$n" 2>"$work/err2.$n" || fail "$action $kind: rerun failed: $(cat "$work/err2.$n")"
	fi
	check || fail "$action#$nth $kind: wrong portal state after the run(s)"
}

for kind in 500 503 html502 drop_after_write slow_after_write; do
	want=0
	[ $kind = 500 ] && want=4 # a read that fails with 500 is not retried
	case_ organization_show 1 $kind $want fresh
	case_ package_show 1 $kind $want fresh
done
for kind in 500 503 html502 500_after_write search_index_error html504_after_write drop_after_write slow_after_write; do
	want=0
	[ $kind = 500 ] && want=4 # nothing was written and a 500 is not retried
	case_ package_create 1 $kind $want fresh
	case_ resource_create 1 $kind $want fresh
	case_ resource_create 3 $kind $want fresh
done
for kind in 500 503 html502 500_after_write html504_after_write drop_after_write slow_after_write; do
	want=0
	case $kind in 500 | 500_after_write) want=4 ;; esac
	case_ package_patch 1 $kind $want changed
	case_ resource_patch 1 $kind $want changed
done

# A fault on the verifying package_show at the end is retried like any read.
case_ package_show 2 503 0 fresh

# Retries are bounded: a portal that always answers 503 makes the run stop with exit 4.
reset_all
fresh_pkg
faults '[{"action":"organization_show","nth":1,"kind":"503"},{"action":"organization_show","nth":1,"kind":"503"},{"action":"organization_show","nth":1,"kind":"503"},{"action":"organization_show","nth":1,"kind":"503"}]'
rc=0
upload --retries 3 >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 4 ] || fail "endless 503: exit $rc"
grep -q 'HTTP 503 (503 Service Temporarily Unavailable), an HTML page' "$work/err" || fail "503 text: $(cat "$work/err")"
check --absent || fail "endless 503 wrote"
echo "$n fault cases passed"
