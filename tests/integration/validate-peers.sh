#!/bin/sh
# kplan-validate on the Frictionless and csvlint fixture suites (tests/peer/): every case
# must give the expected exit status and every expected finding (row, field, code).
set -eu
top=${KPLAN_TOP:?}
bin=${KPLAN_BIN:?}
py=${KPLAN_PYTHON:-/usr/bin/python3}
status=0
for suite in frictionless csvlint; do
	"$py" "$top/tests/peer/peer-score" "$bin/kplan-validate" "$top/tests/peer/$suite" || status=1
done
exit $status
