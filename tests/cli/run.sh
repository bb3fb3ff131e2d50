#!/bin/sh
# Golden CLI tests: one folder per case under tests/cli/.
#   cmd      the command line, run by sh in a scratch copy of the case folder with
#            the tools first on PATH ($KPLAN_TOP is the checkout)
#   stdin    optional standard input (default: /dev/null)
#   stdout   expected standard output (absent: must be empty)
#   stderr   expected standard error (absent: must be empty)
#   status   expected exit status (absent: 0)
# Prints a diff for each failing case, then "cli: N passed, N failed".
# UPDATE=1 rewrites the expected files from the actual run: review the diff before committing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
bin=${KPLAN_BIN:-$top/$BUILD/bin}
passed=0 failed=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for case in "$top"/tests/cli/*/; do
	[ -f "$case/cmd" ] || continue
	name=$(basename "$case")
	work="$scratch/$name"
	cp -R "$case" "$work"
	in=/dev/null
	[ -f "$case/stdin" ] && in="$case/stdin"
	(cd "$work" && PATH="$bin:$PATH" KPLAN_TOP="$top" LC_ALL=C.UTF-8 sh ./cmd <"$in" >"$scratch/$name.out" 2>"$scratch/$name.err")
	rc=$?
	if [ "${UPDATE:-0}" = 1 ]; then
		if [ -s "$scratch/$name.out" ]; then cp "$scratch/$name.out" "$case/stdout"; else rm -f "$case/stdout"; fi
		if [ -s "$scratch/$name.err" ]; then cp "$scratch/$name.err" "$case/stderr"; else rm -f "$case/stderr"; fi
		if [ "$rc" != 0 ]; then echo "$rc" >"$case/status"; else rm -f "$case/status"; fi
	fi
	want_rc=0
	[ -f "$case/status" ] && want_rc=$(cat "$case/status")
	ok=1
	for s in stdout stderr; do
		ext=out
		[ $s = stderr ] && ext=err
		want="$case/$s"
		[ -f "$want" ] || want=/dev/null
		if ! cmp -s "$want" "$scratch/$name.$ext"; then
			[ $ok = 1 ] && echo "FAIL cli $name:"
			ok=0
			diff -u "$want" "$scratch/$name.$ext" | sed "s|^|    $s |" | head -n 30
		fi
	done
	if [ "$rc" != "$want_rc" ]; then
		[ $ok = 1 ] && echo "FAIL cli $name:"
		ok=0
		echo "    exit status $rc, expected $want_rc"
	fi
	if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
