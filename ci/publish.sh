#!/bin/sh
# ci/publish.sh — the publishing job: validate → export → upload, for any CI runner.
#
#   ci/publish.sh [--dry-run]
#
# Stops at the first step that fails, with that tool's own messages and exit status
# (1 invalid data, 2 usage, 3 I/O, 4 network/portal).  Settings come from the
# environment, so a CI file only sets variables:
#   KPLAN_PACKAGE   source Data Package      (default schemas/kanazawa-plan/datapackage.json)
#   KPLAN_DATA      folder of source tables  (default samples/kanazawa-2019)
#   KPLAN_OUT       export folder            (default dist)
#   KPLAN_PORTAL    CKAN site URL, with KPLAN_ORG (and optionally KPLAN_DATASET), or
#   KPLAN_PUT       a WebDAV/PUT base URL instead
#   KPLAN_TOKEN     the API token — from the CI secret store, never from the repository
#   KPLAN_CACERT    CA bundle for a portal with a private CA (optional)
#   KPLAN_DRY_RUN=1 plan only (same as --dry-run): for merge requests, where the secret
#                   is usually not available; reads the portal when it can
#   KPLAN_UPLOAD_ARGS  further kplan-upload options (e.g. --timeout 120)
#   KPLAN_BIN       folder of the tools (default: build/bin of this checkout, else PATH)
#   KPLAN_QUALITY_REPORT  in GitLab CI, where validate's Code Quality report goes
#                   (default gl-code-quality-report.json); in GitHub Actions the
#                   findings are annotations on the change
#   SOURCE_DATE_EPOCH  the export's issue date; defaults to the time of the newest
#                   commit that touched the package or its data (in their own
#                   repository), so a rerun exports identical files and uploads nothing
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
dry=${KPLAN_DRY_RUN:-0}
for a in "$@"; do
	case $a in
	--dry-run | -n) dry=1 ;;
	-h | --help)
		sed -n '2,25s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "publish: unknown argument '$a' (try 'ci/publish.sh --help')" >&2
		exit 2
		;;
	esac
done

package=${KPLAN_PACKAGE:-$top/schemas/kanazawa-plan/datapackage.json}
data=${KPLAN_DATA:-$top/samples/kanazawa-2019}
out=${KPLAN_OUT:-$top/dist}
if [ -n "${KPLAN_BIN:-}" ]; then
	bin=$KPLAN_BIN/
elif [ -x "$top/build/bin/kplan-upload" ]; then
	bin=$top/build/bin/
else
	bin=""
fi

fail() {
	echo "publish: $1" >&2
	exit "${2:-2}"
}

# run STEP COMMAND...: runs one step; on failure stops the job with the step's status.
run() {
	step=$1
	shift
	echo "publish: $step" >&2
	"$@"
	rc=$?
	[ $rc = 0 ] || fail "step '$step' failed (exit $rc); see the messages above" $rc
}

if [ -n "${KPLAN_PORTAL:-}" ] && [ -n "${KPLAN_PUT:-}" ]; then
	fail "set KPLAN_PORTAL or KPLAN_PUT, not both"
fi
if [ -z "${KPLAN_PORTAL:-}" ] && [ -z "${KPLAN_PUT:-}" ]; then
	fail "set KPLAN_PORTAL (with KPLAN_ORG) or KPLAN_PUT"
fi
if [ -n "${KPLAN_PORTAL:-}" ] && [ -z "${KPLAN_ORG:-}" ]; then
	fail "KPLAN_PORTAL needs KPLAN_ORG"
fi
if [ "$dry" != 1 ] && [ -z "${KPLAN_TOKEN:-}" ] && [ -n "${KPLAN_PORTAL:-}" ]; then
	fail "KPLAN_TOKEN is not set: give the job the portal token as a CI secret (or use --dry-run)"
fi

# The export's date is when the data last changed: the newest commit that touched the
# package or its data, in the repository that holds them (the city's, not kplan's own).
last_change() { # last_change PATH: the newest commit touching PATH, in seconds, or nothing
	if [ -d "$1" ]; then dir=$1 rel=.; else dir=$(dirname "$1") rel=$(basename "$1"); fi
	git -C "$dir" log -1 --format=%ct -- "$rel" 2>/dev/null || true
}
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	a=$(last_change "$package")
	b=$(last_change "$data")
	SOURCE_DATE_EPOCH=${a:-${b:-}}
	[ -n "$b" ] && [ -n "$a" ] && [ "$b" -gt "$a" ] && SOURCE_DATE_EPOCH=$b
	[ -n "$SOURCE_DATE_EPOCH" ] || unset SOURCE_DATE_EPOCH
fi
[ -n "${SOURCE_DATE_EPOCH:-}" ] && export SOURCE_DATE_EPOCH

# In a CI that shows findings on the change, validate reports in its format: GitHub
# Actions annotations on the files and lines, GitLab's Code Quality report (a file the
# job keeps as an artifact: KPLAN_QUALITY_REPORT, default gl-code-quality-report.json).
quality=${KPLAN_QUALITY_REPORT:-gl-code-quality-report.json}
# Publishing to a CKAN portal: the portal's metadata rules are errors from the first step
# on (the same rules kplan-upload applies), so nothing is exported that upload refuses.
# (${KPLAN_PORTAL:+--for-portal} below: the option only when publishing to a portal)
validate_gitlab() { "${bin}kplan-validate" --format gitlab "$@" >"$quality"; }
if [ "${GITHUB_ACTIONS:-}" = true ]; then
	run validate "${bin}kplan-validate" --format github ${KPLAN_PORTAL:+--for-portal} --package "$package" --data "$data"
elif [ "${GITLAB_CI:-}" = true ]; then
	run validate validate_gitlab ${KPLAN_PORTAL:+--for-portal} --package "$package" --data "$data"
else
	run validate "${bin}kplan-validate" ${KPLAN_PORTAL:+--for-portal} --package "$package" --data "$data"
fi
run export "${bin}kplan-export" ${KPLAN_PORTAL:+--for-portal} --package "$package" --data "$data" --format all -o "$out"

set --
if [ -n "${KPLAN_PORTAL:-}" ]; then
	set -- --portal "$KPLAN_PORTAL" --org "$KPLAN_ORG"
	[ -n "${KPLAN_DATASET:-}" ] && set -- "$@" --dataset "$KPLAN_DATASET"
else
	set -- --put "$KPLAN_PUT"
fi
[ -n "${KPLAN_CACERT:-}" ] && set -- "$@" --cacert "$KPLAN_CACERT"
[ "$dry" = 1 ] && set -- "$@" --dry-run
# KPLAN_UPLOAD_ARGS is split on blanks on purpose: it holds options, not paths.
# shellcheck disable=SC2086
run upload "${bin}kplan-upload" "$@" ${KPLAN_UPLOAD_ARGS:-} "$out/datapackage.json"
if [ "$dry" = 1 ]; then
	echo "publish: done (dry run: nothing was written)" >&2
else
	echo "publish: done" >&2
fi
