# Shared by tests/integration/upload-*.sh (sourced; not a test itself).
# Starts servers on 127.0.0.1, keeps everything in one scratch folder, cleans up on exit.
set -eu
: "${KPLAN_TOP:?run through tests/run-all.sh or set KPLAN_TOP}"
KPLAN_BIN=${KPLAN_BIN:-$KPLAN_TOP/build/bin}
KPLAN_PYTHON=${KPLAN_PYTHON:-/usr/bin/python3}
PATH=$KPLAN_BIN:$PATH
export PATH
work=$(mktemp -d /tmp/kplan-upload-test.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A fresh random token per test run, kept in an owner-only file.
TOKEN="kpt-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
( umask 077 && printf '%s\n' "$TOKEN" >"$work/token" )

# start_ckan [server options]: sets CKAN (base URL) and ckan_pid.
start_ckan() {
	rm -f "$work/port"
	"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_server.py" --port-file "$work/port" \
		--token-file "$work/token" --org kanazawa --org other-city --storage "$work/storage" "$@" \
		>"$work/ckan.log" 2>&1 &
	ckan_pid=$!
	pids="$pids $ckan_pid"
	i=0
	while [ ! -s "$work/port" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "the CKAN test server did not start: $(cat "$work/ckan.log")"
		sleep 0.05
	done
	CKAN="http://127.0.0.1:$(cat "$work/port")"
}

fresh_pkg() {
	rm -rf "$work/pkg"
	cp -R "$KPLAN_TOP/tests/fixtures/upload/pkg" "$work/pkg"
}

# Changes one resource file and rewrites the descriptor as kplan-export would.
edit_file() {
	printf '%s\r\n' "$2" >>"$work/pkg/$1"
	"$KPLAN_PYTHON" "$KPLAN_TOP/tests/fixtures/upload/mkpkg.py" "$work/pkg"
}

upload() {
	KPLAN_TOKEN=$TOKEN kplan-upload --portal "$CKAN" --org kanazawa --insecure-http \
		--timeout 2 --retry-delay 50 "$@" "$work/pkg/datapackage.json"
}

# CKAN_CA: CA file of a TLS test server, for the test's own requests.
CKAN_CA=
ckan_curl() { curl -fsS ${CKAN_CA:+--cacert "$CKAN_CA"} "$@"; }
faults() { ckan_curl -X POST -d "$1" "$CKAN/_test/faults" >/dev/null; }
reset_log() { ckan_curl -X POST -d '{}' "$CKAN/_test/reset" >/dev/null; }
reset_all() { ckan_curl -X POST -d '{"data": true}' "$CKAN/_test/reset" >/dev/null; }
check() {
	if [ -n "$CKAN_CA" ]; then
		SSL_CERT_FILE=$CKAN_CA "$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$work/pkg" "$@"
	else
		"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$work/pkg" "$@"
	fi
}

# The token must never show in what the tool prints.
no_token_in() {
	for f in "$@"; do
		if grep -qF "$TOKEN" "$f"; then
			fail "the token appears in $f"
		fi
	done
}

free_port() {
	"$KPLAN_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_nginx: sets NGINX (base URL) and ngx (its scratch folder).
start_nginx() {
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || fail "nginx is not installed (ci/deps.sh test)"
	ngx=$work/nginx
	mkdir -p "$ngx/www" "$ngx/tmp"
	user=""
	[ "$(id -u)" = 0 ] && user="user root;"
	tries=0
	while :; do
		port=$(free_port)
		( umask 077 && sed -e "s|@DIR@|$ngx|g" -e "s|@PORT@|$port|g" -e "s|@TOKEN@|$TOKEN|g" \
			-e "s|@USER@|$user|" "$KPLAN_TOP/tests/servers/nginx-dav.conf.in" >"$ngx/nginx.conf" )
		PATH=$PATH:/usr/sbin nginx -c "$ngx/nginx.conf" -p "$ngx" -e "$ngx/error.log" &
		ngx_pid=$!
		pids="$pids $ngx_pid"
		i=0
		while [ $i -lt 100 ] && kill -0 $ngx_pid 2>/dev/null; do
			curl -s -o /dev/null "http://127.0.0.1:$port/" && break
			i=$((i + 1))
			sleep 0.05
		done
		if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
			break
		fi
		tries=$((tries + 1))
		[ $tries -lt 3 ] || fail "nginx did not start: $(cat "$ngx/error.log")"
	done
	NGINX="http://127.0.0.1:$port"
}
# nginx logs a request after it has sent the answer, so the client can finish before the
# line is written: count until two readings 0.1 s apart agree.
puts() {
	_prev=-1
	_n=$(grep -c '"PUT ' "$ngx/access.log" || true)
	while [ "$_n" != "$_prev" ]; do
		sleep 0.1
		_prev=$_n
		_n=$(grep -c '"PUT ' "$ngx/access.log" || true)
	done
	echo "$_n"
}
