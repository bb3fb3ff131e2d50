# make bench: kplan-upload --put of a 200 MB file to a local nginx (DAV), beside
# `curl -T` of the same file to the same server.  Reports MB/s and peak RSS.
# kplan-upload's time includes reading the file once for its SHA-256 (which decides
# whether to upload at all); a second run, which finds the file there, is shown too.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
size_mb=${KPLAN_BENCH_MB:-200}
dir=${KPLAN_BENCH_DIR:-$work}
mkdir -p "$dir/bench-pkg"
big=$dir/bench-pkg/big.bin
if [ ! -f "$big" ] || [ "$(stat -c %s "$big")" != $((size_mb * 1048576)) ]; then
	head -c $((size_mb * 1048576)) /dev/urandom >"$big"
fi
"$KPLAN_PYTHON" - "$dir/bench-pkg" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
h = hashlib.sha256()
with open(os.path.join(d, "big.bin"), "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
json.dump({"name": "bench", "title": "bench", "resources": [{
    "name": "big", "path": "big.bin", "title": "big", "format": "bin",
    "mediatype": "application/octet-stream", "bytes": os.path.getsize(os.path.join(d, "big.bin")),
    "hash": "sha256:" + h.hexdigest()}]}, open(os.path.join(d, "datapackage.json"), "w"))
PY
start_nginx

# measure LABEL COMMAND...: wall time and the child's peak RSS.
measure() {
	label=$1
	shift
	"$KPLAN_PYTHON" - "$label" "$size_mb" "$@" <<'PY'
import resource, subprocess, sys, time
label, mb, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t = time.monotonic()
rc = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
dt = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("%-34s %7.2f s %8.1f MB/s  peak RSS %6.1f MB%s" % (label, dt, mb / dt, rss,
      "" if rc == 0 else "  (exit %d)" % rc))
sys.exit(rc)
PY
}

echo "file: $size_mb MB, nginx on 127.0.0.1"
measure "curl -T (PUT)" curl -sS -f -T "$big" -H "Authorization: $TOKEN" "$NGINX/curl/big.bin"
KPLAN_TOKEN=$TOKEN measure "kplan-upload --put (first run)" kplan-upload --insecure-http --quiet \
	--put "$NGINX/kplan" "$dir/bench-pkg/datapackage.json"
KPLAN_TOKEN=$TOKEN measure "kplan-upload --put (second: skip)" kplan-upload --insecure-http --quiet \
	--put "$NGINX/kplan" "$dir/bench-pkg/datapackage.json"
cmp -s "$big" "$ngx/www/kplan/big.bin" || fail "the uploaded file differs"
rm -rf "$ngx/www/kplan" "$ngx/www/curl"

# The same file as a CKAN multipart upload (resource_create) to the Python test server:
# its throughput is the server's, but the client's peak RSS shows the file is streamed.
printf '{"name": "bench", "dataset": [], "resource": []}\n' >"$dir/bench-rules.json"
start_ckan --max-resource-size $((size_mb + 10))
KPLAN_TOKEN=$TOKEN measure "kplan-upload --portal (multipart)" kplan-upload --insecure-http --quiet \
	--timeout 120 --portal "$CKAN" --org kanazawa --dataset bench-upload \
	--portal-rules "$dir/bench-rules.json" "$dir/bench-pkg/datapackage.json"
