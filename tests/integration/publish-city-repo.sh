# The publishing job as a city runs it: kplan installed (make install), the job run
# from the city's own data repository with a folder of packages.  Each package is
# published (to the CKAN test server, with the DataStore); one with invalid data does
# not stop the others; the summary names each outcome and the exit status is the
# worst; a rerun writes nothing; --list gives the packages for a CI matrix, and one
# package alone (a matrix job) publishes as well.
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
command -v git >/dev/null || fail "git is missing"
make -s -C "$KPLAN_TOP" install DESTDIR="$work/root" PREFIX=/usr >"$work/install.log" 2>&1 ||
	fail "make install: $(tail -5 "$work/install.log")"
inst=$work/root/usr/bin
[ -x "$inst/kplan-publish" ] || fail "make install left out kplan-publish"

# The city's repository: three packages, one of them with a repeated key.
city=$work/city
mkdir -p "$city/packages"
"$KPLAN_PYTHON" - "$city/packages" <<'PY'
import json, os, sys
root = sys.argv[1]
def package(folder, name, title, rows):
    d = os.path.join(root, folder)
    os.makedirs(d)
    with open(os.path.join(d, "counts.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("番号,地区,人数\r\n")
        for r in rows:
            f.write("%d,%s,%d\r\n" % r)
    dp = {"name": name, "title": title, "description": "福井市の%sを地区ごとにまとめた表" % title,
          "keywords": ["統計"], "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
          "dcat": {"lg_code": "182010", "lg_name": "福井県福井市", "publisher": "福井市", "author": "総務部",
                   "contact": {"name": "福井市 総務部", "email": "opendata@city.fukui.example.jp"},
                   "issued": "2026-04-01", "modified": "2026-04-01", "frequency": "annual",
                   "spatial": "http://data.e-stat.go.jp/lod/sac/C18201", "theme": ["くらし"], "language": "ja",
                   "landing_page": "https://www.city.fukui.example.jp/opendata/" + name,
                   "download_base": "https://www.city.fukui.example.jp/opendata/files/"},
          "resources": [{"name": "counts", "path": "counts.csv", "title": title, "description": title + "の表",
                         "schema": {"primaryKey": ["no"], "fields": [
                             {"name": "no", "title": "番号", "type": "integer"},
                             {"name": "district", "title": "地区", "type": "string"},
                             {"name": "people", "title": "人数", "type": "integer"}]}}]}
    json.dump(dp, open(os.path.join(d, "datapackage.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=1)
package("a-visitors", "visitors", "来館者数", [(1, "中央", 120), (2, "東部", 80)])
package("b-broken", "members", "会員数", [(1, "中央", 10), (1, "東部", 12)])
package("c-volunteers", "volunteers", "ボランティア登録者数", [(1, "中央", 30), (2, "西部", 25), (3, "南部", 9)])
PY
g() { git -C "$city" -c user.name=city -c user.email=city@example.lg.jp "$@" >/dev/null; }
g init -q
g add -A
g commit -q -m "the city's data"

start_ckan --org fukui
job() { # job ENV=VALUE... [-- ARG...]: the job, from the city's repository, with the installed kplan only
	vars=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars="$vars $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086
	(cd "$city" && env -i PATH="$inst:/usr/bin:/bin" HOME="$work" LC_ALL=C.UTF-8 \
		KPLAN_PORTAL="$CKAN" KPLAN_ORG=fukui KPLAN_TOKEN="$TOKEN" KPLAN_DATASTORE=1 \
		KPLAN_UPLOAD_ARGS="--insecure-http --timeout 5" $vars kplan-publish "$@")
}

# --list: the packages, as JSON, for a CI matrix
job KPLAN_PACKAGES=packages -- --list >"$work/list" 2>&1 || fail "--list: $(cat "$work/list")"
"$KPLAN_PYTHON" -c 'import json,sys; l=json.load(open(sys.argv[1])); assert l == ["packages/a-visitors/datapackage.json", "packages/b-broken/datapackage.json", "packages/c-volunteers/datapackage.json"], l' "$work/list" ||
	fail "--list: $(cat "$work/list")"

rc=0
job KPLAN_PACKAGES=packages >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 1 ] || fail "the folder: exit $rc, expected 1 (the worst: invalid data): $(cat "$work/err")"
grep -q 'publish: 3 package(s), 2 published, 1 failed:' "$work/err" || fail "summary: $(cat "$work/err")"
grep -q 'publish:   ok      a-visitors' "$work/err" && grep -q 'publish:   ok      c-volunteers' "$work/err" &&
	grep -q 'publish:   FAILED  b-broken (exit 1)' "$work/err" || fail "summary: $(cat "$work/err")"
grep -q 'counts.csv:3:1: error: \[primary-key\]' "$work/out" "$work/err" || fail "the broken package's finding: $(cat "$work/out" "$work/err")"
for p in visitors volunteers; do
	d=$(ls -d "$city"/dist/*-$p)
	"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$d" || fail "$p on the portal"
	"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ds_check.py" "$CKAN" "$d" 2>/dev/null || fail "$p in the DataStore"
done
[ ! -e "$city/dist/b-broken" ] || fail "the broken package was exported"

# again: the same outcome, nothing written
reset_log
rc=0
job KPLAN_PACKAGES=packages >"$work/out" 2>"$work/err" || rc=$?
[ $rc = 1 ] || fail "rerun: exit $rc"
"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$city/dist/a-visitors" --writes 0 || fail "the rerun wrote"

# a matrix job: one package
reset_log
job KPLAN_PACKAGE=packages/c-volunteers/datapackage.json KPLAN_OUT=dist-one >"$work/out" 2>"$work/err" ||
	fail "one package: $(cat "$work/err")"
grep -q '^publish: done$' "$work/err" || fail "one package: $(cat "$work/err")"
"$KPLAN_PYTHON" "$KPLAN_TOP/tests/servers/ckan_check.py" "$CKAN" "$city/dist-one" --writes 0 || fail "the matrix job wrote"
echo "publish-city-repo: installed kplan-publish published a folder of packages from the city's repository"
