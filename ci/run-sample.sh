#!/bin/sh
# `make run`: the main job on the bundled sample, as far as the tools exist.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/${BUILD:-build}/bin"
for t in kplan-import kplan-validate kplan-export kplan-upload; do
	"$bin/$t" --version
done
echo "kplan: the pipeline steps are not built yet"
