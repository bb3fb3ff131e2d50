#!/bin/sh
# ci/publish.sh dates the export by the data's own history: the newest commit that
# touched the package or its data, in the repository that holds them (a city's own
# data repository), never kplan's own.  A commit elsewhere in that repository leaves
# the date; a change of the data moves it.
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v git >/dev/null || fail "git is missing"
city=$work/city
mkdir -p "$city/pkg"
cp "$top"/schemas/kanazawa-plan/*.json "$city/pkg/"
cp -R "$top/samples/kanazawa-2019" "$city/data"
g() { git -C "$city" -c user.name=city -c user.email=city@example.lg.jp "$@" >/dev/null; }
commit() { # commit EPOCH MESSAGE
	GIT_AUTHOR_DATE="@$1 +0900" GIT_COMMITTER_DATE="@$1 +0900" g commit -q -m "$2"
}
g init -q
g add -A
commit 1600000000 "the data of 2020" # 2020-09-13
publish() { # publish: the date stamped on the export
	rm -rf "$work/out"
	(unset SOURCE_DATE_EPOCH; cd "$work" && env KPLAN_BIN="$bin" KPLAN_PACKAGE="$city/pkg/datapackage.json" \
		KPLAN_DATA="$city/data" KPLAN_OUT="$work/out" KPLAN_PUT="http://127.0.0.1:9/x" KPLAN_DRY_RUN=1 \
		sh "$top/ci/publish.sh" >"$work/log" 2>&1) || true
	[ -f "$work/out/datapackage.json" ] || fail "publish.sh exported nothing: $(tail -5 "$work/log")"
	jq -r '.created' "$work/out/datapackage.json"
}
[ "$(publish)" = 2020-09-13T00:00:00Z ] || fail "the export is not dated by the data's commit: $(publish)"
# a commit that does not touch the data: the same date
echo "about our data" >"$city/README.md"
g add README.md
commit 1700000000 "a readme" # 2023-11-14
[ "$(publish)" = 2020-09-13T00:00:00Z ] || fail "a commit beside the data moved the date: $(publish)"
# the data changes (its description): the date moves
jq '.description += "（令和6年の数値に更新）"' "$city/pkg/datapackage.json" >"$work/dp"
mv "$work/dp" "$city/pkg/datapackage.json"
g add -A
commit 1710000000 "new figures" # 2024-03-09
[ "$(publish)" = 2024-03-09T00:00:00Z ] || fail "a change of the data did not move the date: $(publish)"
# outside any repository: no date from anywhere (never kplan's own history)
rm -rf "$city/.git"
d=$(publish)
[ "$d" = null ] || fail "an export outside a repository got a date: $d"
echo "publish-dates: the export is dated by the data's own last change"
