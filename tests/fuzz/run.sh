#!/bin/sh
# `make fuzz`: builds each tests/fuzz/fuzz_<name>.c as a libFuzzer target over the library
# sources (clang, ASan+UBSan) and runs it for FUZZ_SECONDS (default 60) on its corpus in
# tests/fuzz/corpus/<name>/ (the seeds; what the fuzzer finds goes to build-fuzz/corpus/<name>/).
# Crashing inputs land in tests/fuzz/crashes/<name>/; once fixed,
# copy them into the corpus: the unit tests replay the corpus as regression tests.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
secs=${FUZZ_SECONDS:-60}
out=build-fuzz
mkdir -p "$out"
pkg=$(pkg-config --cflags --libs libxml-2.0 jansson libcurl libcrypto libpcre2-8 libzip)
found=0
for f in tests/fuzz/fuzz_*.c; do
	[ -f "$f" ] || continue
	found=1
	name=$(basename "$f" .c)
	name=${name#fuzz_}
	# shellcheck disable=SC2086
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_POSIX_C_SOURCE=200809L \
		-D_DEFAULT_SOURCE -DKPLAN_VERSION='"fuzz"' -DKPLAN_DATADIR='"."' \
		-o "$out/fuzz_$name" "$f" src/*.c -lcsv $pkg -lm -lpthread
	mkdir -p "tests/fuzz/corpus/$name" "tests/fuzz/crashes/$name" "$out/corpus/$name"
	echo "fuzz: $name for ${secs}s"
	"$out/fuzz_$name" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="tests/fuzz/crashes/$name/" "$out/corpus/$name" "tests/fuzz/corpus/$name" \
		2>"$out/$name.log" ||
		{ echo "fuzz: $name found a crash:"; tail -n 30 "$out/$name.log"; exit 1; }
	tail -n 2 "$out/$name.log"
done
[ $found = 1 ] || echo "kplan: no fuzz targets yet"
