#!/bin/sh
# Installs the Debian packages kplan needs that are missing.
#   ci/deps.sh build   what building and running the tools needs
#   ci/deps.sh test    what only the tests need (servers, parsers, checkers)
#   ci/deps.sh bench   what the benchmarks' peers and measurements need
#   ci/deps.sh fuzz    the libFuzzer toolchain
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build_pkgs="build-essential pkg-config gettext libcsv-dev libxml2-dev libjansson-dev libcurl4-openssl-dev libssl-dev libcmocka-dev libpcre2-dev libzip-dev"
test_pkgs="nginx-light locales chromium fonts-noto-cjk tidy nodejs raptor2-utils libxml2-utils jq python3 python3-rdflib python3-jsonschema python3-openpyxl miller curl openssl procps rsync git mandoc man-db"
bench_pkgs="time miller raptor2-utils nginx-light curl python3 nodejs python3-openpyxl gnumeric"
fuzz_pkgs="clang libclang-rt-14-dev"

case "${1:-build}" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
fuzz) want=$fuzz_pkgs ;;
*) echo "usage: ci/deps.sh build|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "kplan: missing Debian packages:$missing" >&2
	echo "kplan: install them with: sudo apt-get update && sudo $cmd" >&2
	exit 3
fi
echo "kplan: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
