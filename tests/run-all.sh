#!/bin/sh
# Runs every test suite and ends with one line "N passed, N failed".
#   unit         cmocka binaries in $BUILD/tests
#   cli          golden CLI cases in tests/cli/<case>/
#   integration  tests/integration/*.sh (each starts the servers it needs on 127.0.0.1)
# Only failures are printed in detail.  VALGRIND=1 runs the unit tests under valgrind.
set -u
# every suite runs in English unless it asks otherwise (tests/integration/i18n.sh)
unset LANGUAGE LC_MESSAGES LANG
export LC_ALL=C.UTF-8
# a sanitized build reports leaks; tests/lsan.supp names the few that are glibc's
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export KPLAN_TOP="$top" KPLAN_BIN="$top/$BUILD/bin" BUILD
# Debian's python3 carries rdflib and jsonschema; a python3 earlier on PATH may not.
export KPLAN_PYTHON=${KPLAN_PYTHON:-/usr/bin/python3}
passed=0 failed=0

add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# Unit tests: cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:".
for t in "$top/$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	log=$(mktemp)
	if [ "${VALGRIND:-0}" = 1 ]; then
		CMOCKA_MESSAGE_OUTPUT=stdout valgrind -q --error-exitcode=99 --leak-check=full "$t" >"$log" 2>&1
	else
		(cd "$top" && CMOCKA_MESSAGE_OUTPUT=stdout "$t") >"$log" 2>&1
	fi
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	if [ "$f" != 0 ]; then
		echo "FAIL unit $(basename "$t") (exit $rc):"
		grep -v '^\[ \(RUN\|      OK\) ' "$log" | sed 's/^/    /' | head -n 40
	fi
	add "$p" "$f"
	rm -f "$log"
done

# Golden CLI tests.
out=$("$top/tests/cli/run.sh")
rc=$?
printf '%s\n' "$out" | grep -v '^cli: ' || true
p=$(printf '%s\n' "$out" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
f=$(printf '%s\n' "$out" | sed -n 's/^cli: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
[ -z "$f" ] && { f=1; p=0; echo "FAIL cli runner (exit $rc)"; }
add "$p" "$f"

# Integration tests: each script exits 0 when it passes; output is shown only on failure.
for s in "$top"/tests/integration/*.sh; do
	[ -f "$s" ] || continue
	log=$(mktemp)
	if sh "$s" >"$log" 2>&1; then
		add 1 0
	else
		echo "FAIL integration $(basename "$s"):"
		tail -n 40 "$log" | sed 's/^/    /'
		add 0 1
	fi
	rm -f "$log"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
