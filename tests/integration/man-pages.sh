#!/bin/sh
# A man page for every tool: clean under mandoc's linter, rendered by man, naming every
# option the tool's --help names (so the two cannot drift apart), and installed by
# make install.
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v mandoc >/dev/null || fail "mandoc is missing (Debian package mandoc)"
for tool in kplan-import kplan-validate kplan-describe kplan-export kplan-upload; do
	page=$top/man/$tool.1
	[ -f "$page" ] || fail "no man page for $tool"
	mandoc -T lint -W warning "$page" >"$work/lint" 2>&1 || true
	[ ! -s "$work/lint" ] || fail "$tool.1: $(cat "$work/lint")"
	MANWIDTH=80 man -l "$page" >"$work/out" 2>&1 || fail "man -l $tool.1: $(cat "$work/out")"
	grep -q "^NAME" "$work/out" && grep -q "^EXIT STATUS" "$work/out" || fail "$tool.1 renders no NAME or EXIT STATUS"
	# the options the help defines (its lines that start with one), not those it mentions
	"$bin/$tool" --help | grep -E '^ +(-[a-zA-Z], )?--[a-z]' | grep -o -- '--[a-z][a-z0-9-]*' |
		sort -u >"$work/options"
	[ -s "$work/options" ] || fail "no options read from $tool --help"
	while read -r opt; do
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -q -- "$esc" "$page" || fail "$tool.1 does not describe $opt"
	done <"$work/options"
done
make -s -C "$top" install DESTDIR="$work/root" PREFIX=/usr >/dev/null 2>&1 || fail "make install"
for tool in kplan-import kplan-validate kplan-describe kplan-export kplan-upload; do
	[ -f "$work/root/usr/share/man/man1/$tool.1" ] || fail "make install left out $tool.1"
done
MANPATH="$work/root/usr/share/man" MANWIDTH=80 man kplan-validate 2>/dev/null | grep -q 'kplan-validate' ||
	fail "man kplan-validate does not find the installed page"
echo "man: 5 pages, lint-clean, every option described, installed"
