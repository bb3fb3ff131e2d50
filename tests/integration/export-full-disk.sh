#!/bin/sh
# A full disk: every format fails with exit 3, one message naming the file and saying
# "No space left on device", no temporary file or folder left, the previous OUT as it
# was, nothing from libxml2 on stderr.  Needs a small tmpfs (root, as in CI).
set -eu
: "${KPLAN_TOP:?}" "${KPLAN_BIN:?}"
work=$(mktemp -d)
mnt=$work/disk
mkdir "$mnt"
cleanup() {
	umount "$mnt" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
if ! mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null; then
	echo "SKIP: cannot mount a tmpfs here (needs root)" >&2
	exit 0
fi
x="$KPLAN_BIN/kplan-export"
pkg="$KPLAN_TOP/schemas/kanazawa-plan"
data="$KPLAN_TOP/samples/kanazawa-2019"
"$x" --package "$pkg" --data "$data" -o "$mnt/out" --date 2026-01-01
snapshot() { (cd "$mnt" && ls -A && find out -type f | sort | xargs sha256sum) >"$1"; }
snapshot "$work/before"
# fill what is left, but for a few kB
avail=$(df -k --output=avail "$mnt" | tail -n 1)
dd if=/dev/zero of="$mnt/filler" bs=1k count=$((avail - 24)) 2>/dev/null || true
snapshot "$work/before"
for fmt in all rdf json csv; do
	rc=0
	"$x" --package "$pkg" --data "$data" -o "$mnt/out" --format $fmt --date 2026-02-02 \
		>"$work/out" 2>"$work/err" || rc=$?
	[ "$rc" = 3 ] || { echo "$fmt: exit $rc"; cat "$work/err"; exit 1; }
	[ "$(grep -c . "$work/err")" = 1 ] || { echo "$fmt: not one message:"; cat "$work/err"; exit 1; }
	grep -q "^kplan-export: $mnt/out/[^:]*: error: \[io-error\] cannot write [^:]*: No space left on device$" "$work/err" ||
		{ echo "$fmt: message:"; cat "$work/err"; exit 1; }
	snapshot "$work/after"
	cmp -s "$work/before" "$work/after" || { echo "$fmt: the disk changed:"; diff "$work/before" "$work/after"; exit 1; }
done
# a new OUT on the full disk: nothing created
rc=0
"$x" --package "$pkg" --data "$data" -o "$mnt/new" --date 2026-02-02 2>"$work/err" || rc=$?
[ "$rc" = 3 ] || { echo "new OUT: exit $rc"; cat "$work/err"; exit 1; }
[ ! -e "$mnt/new" ] || { echo "new OUT was left behind"; exit 1; }
snapshot "$work/after"
cmp -s "$work/before" "$work/after" || { diff "$work/before" "$work/after"; exit 1; }
