#!/bin/sh
# Progress on a terminal: kplan-validate redraws one stderr line (rows, MB, MB/s) while
# a long table is read and clears it at the end; never when stderr is not a terminal
# (CI logs, pipes), never with --quiet, and never on stdout.  The terminal is a pty made
# by script(1).
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v script >/dev/null || fail "script(1) is missing (util-linux)"
# redraws without waiting (KPLAN_PROGRESS_DELAY=0): no timing in the test
export KPLAN_PROGRESS_DELAY=0
{ printf 'ID,名称,定員（人）\r\n'; seq 1 100000 | awk '{ printf "%d,施設%d,%d\r\n", $1, $1, $1 % 500 }'; } >"$work/big.csv"
v="$bin/kplan-validate"
script -qec "\"$v\" \"$work/big.csv\" 2>\"$work/tty.err\" >\"$work/tty.out\"" /dev/null >/dev/null 2>&1 || true
# (stderr redirected to a file is no terminal: that run must show nothing)
[ ! -s "$work/tty.err" ] || fail "progress written to a file: $(head -c 200 "$work/tty.err")"
script -qec "\"$v\" \"$work/big.csv\" >\"$work/tty.out\"" /dev/null >"$work/pty" 2>&1 || true
grep -q 'rows, [0-9.]* MB ([0-9.]* MB/s)' "$work/pty" || fail "no progress on a terminal: $(head -c 300 "$work/pty")"
grep -q "$(printf '\r\033')\[K" "$work/pty" || fail "the progress line is not redrawn and cleared"
grep -q 'MB/s' "$work/tty.out" && fail "progress on stdout"
grep -q 'valid: 100000 rows' "$work/tty.out" || fail "report: $(cat "$work/tty.out")"
script -qec "\"$v\" --quiet \"$work/big.csv\" >/dev/null" /dev/null >"$work/pty" 2>&1 || true
grep -q 'MB/s' "$work/pty" && fail "progress despite --quiet"
"$v" "$work/big.csv" 2>"$work/err" >/dev/null || true
grep -q 'MB/s' "$work/err" && fail "progress on a stderr that is not a terminal"
echo "progress: on a terminal only, cleared, off with --quiet"
