#!/bin/sh
# ci/publish.sh (installed as kplan-publish) — the publishing job: validate → export →
# upload, for any CI runner, run from the city's own data repository.
#
#   kplan-publish [--dry-run]     publish the package, or every package of a folder
#   kplan-publish --list          print the packages as a JSON list (for a CI matrix)
#
# One package: its steps stop at the first that fails, with that tool's own messages
# and exit status (1 invalid data, 2 usage, 3 I/O, 4 network/portal).  A folder of
# packages (KPLAN_PACKAGES): each is published in turn, one failing does not stop the
# others, a summary names each package's outcome, and the exit status is the worst.
# Settings come from the environment, so a CI file only sets variables:
#   KPLAN_PACKAGE   one source Data Package (default ./datapackage.json; in a kplan
#                   checkout its sample, schemas/kanazawa-plan/datapackage.json)
#   KPLAN_DATA      folder of its source tables (default: the package's folder; in a
#                   kplan checkout samples/kanazawa-2019)
#   KPLAN_PACKAGES  instead: a folder of packages, each a subfolder holding its
#                   datapackage.json and its tables (exported to KPLAN_OUT/<subfolder>)
#   KPLAN_OUT       export folder            (default dist)
#   KPLAN_PORTAL    CKAN site URL, with KPLAN_ORG (and, for one package, optionally
#                   KPLAN_DATASET), or
#   KPLAN_PUT       a WebDAV/PUT base URL instead
#   KPLAN_DATASTORE=1  also load each table into the portal's DataStore (--datastore)
#   KPLAN_TOKEN     the API token — from the CI secret store, never from the repository
#   KPLAN_CACERT    CA bundle for a portal with a private CA (optional)
#   KPLAN_DRY_RUN=1 plan only (same as --dry-run): for merge requests, where the secret
#                   is usually not available; reads the portal when it can
#   KPLAN_UPLOAD_ARGS  further kplan-upload options (e.g. --timeout 120)
#   KPLAN_BIN       folder of the tools (default: build/bin of a kplan checkout, else PATH)
#   KPLAN_QUALITY_REPORT  in GitLab CI, where validate's Code Quality report goes
#                   (default gl-code-quality-report.json; one list for all packages);
#                   in GitHub Actions the findings are annotations on the change
#   SOURCE_DATE_EPOCH  the export's issue date; defaults to the time of the newest
#                   commit that touched the package or its data (in their own
#                   repository), so a rerun exports identical files and uploads nothing
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
dry=${KPLAN_DRY_RUN:-0}
list=0
for a in "$@"; do
	case $a in
	--dry-run | -n) dry=1 ;;
	--list) list=1 ;;
	-h | --help)
		sed -n '2,38s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "publish: unknown argument '$a' (try 'ci/publish.sh --help')" >&2
		exit 2
		;;
	esac
done

# the sample's defaults only inside a kplan checkout; a city's repository names its own
sample=
[ -f "$top/schemas/kanazawa-plan/datapackage.json" ] && [ -d "$top/samples/kanazawa-2019" ] && sample=1
out=${KPLAN_OUT:-dist}
if [ -n "${KPLAN_BIN:-}" ]; then
	bin=$KPLAN_BIN/
elif [ -x "$top/build/bin/kplan-upload" ]; then
	bin=$top/build/bin/
elif [ -x "$(dirname "$0")/kplan-upload" ]; then # installed: kplan-publish beside the tools
	bin=$(cd "$(dirname "$0")" && pwd)/
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

# The packages: one (KPLAN_PACKAGE), or each subfolder of KPLAN_PACKAGES holding a
# datapackage.json.
packages_in() { # packages_in DIR: the descriptors, one per line, sorted
	for d in "$1"/*/; do
		[ -f "$d/datapackage.json" ] && printf '%s\n' "${d%/}/datapackage.json"
	done
}
if [ -n "${KPLAN_PACKAGES:-}" ]; then
	[ -d "$KPLAN_PACKAGES" ] || fail "KPLAN_PACKAGES '$KPLAN_PACKAGES' is not a folder"
	[ -z "${KPLAN_PACKAGE:-}" ] || fail "set KPLAN_PACKAGE or KPLAN_PACKAGES, not both"
	[ -z "${KPLAN_DATASET:-}" ] || fail "KPLAN_DATASET names one dataset: not with KPLAN_PACKAGES"
	[ -n "$(packages_in "$KPLAN_PACKAGES")" ] || fail "no package in '$KPLAN_PACKAGES' (a subfolder with a datapackage.json)"
fi
if [ "$list" = 1 ]; then
	if [ -n "${KPLAN_PACKAGES:-}" ]; then
		packages_in "$KPLAN_PACKAGES"
	else
		echo "${KPLAN_PACKAGE:-datapackage.json}"
	fi | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/.*/"&"/' | paste -sd, - | sed 's/.*/[&]/'
	exit 0
fi

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

# In a CI that shows findings on the change, validate reports in its format: GitHub
# Actions annotations on the files and lines, GitLab's Code Quality report (a file the
# job keeps as an artifact: KPLAN_QUALITY_REPORT, default gl-code-quality-report.json).
quality=${KPLAN_QUALITY_REPORT:-gl-code-quality-report.json}

# publish_one PACKAGE DATA OUT: the three steps of one package (run in a subshell: a
# failing step ends it with the step's status)
publish_one() {
	package=$1 data=$2 out=$3
	if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
		a=$(last_change "$package")
		b=$(last_change "$data")
		SOURCE_DATE_EPOCH=${a:-${b:-}}
		[ -n "$b" ] && [ -n "$a" ] && [ "$b" -gt "$a" ] && SOURCE_DATE_EPOCH=$b
		[ -n "$SOURCE_DATE_EPOCH" ] || unset SOURCE_DATE_EPOCH
	fi
	[ -n "${SOURCE_DATE_EPOCH:-}" ] && export SOURCE_DATE_EPOCH

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
		[ "${KPLAN_DATASTORE:-0}" = 1 ] && set -- "$@" --datastore
	else
		set -- --put "$KPLAN_PUT"
	fi
	[ -n "${KPLAN_CACERT:-}" ] && set -- "$@" --cacert "$KPLAN_CACERT"
	[ "$dry" = 1 ] && set -- "$@" --dry-run
	# KPLAN_UPLOAD_ARGS is split on blanks on purpose: it holds options, not paths.
	# shellcheck disable=SC2086
	run upload "${bin}kplan-upload" "$@" ${KPLAN_UPLOAD_ARGS:-} "$out/datapackage.json"
}

if [ -z "${KPLAN_PACKAGES:-}" ]; then
	if [ -n "${KPLAN_PACKAGE:-}" ]; then
		package=$KPLAN_PACKAGE
		data=${KPLAN_DATA:-$(dirname "$package")}
	elif [ -f datapackage.json ]; then
		package=datapackage.json data=${KPLAN_DATA:-.}
	elif [ -n "$sample" ]; then
		package=$top/schemas/kanazawa-plan/datapackage.json data=${KPLAN_DATA:-$top/samples/kanazawa-2019}
	else
		fail "no package: set KPLAN_PACKAGE (a datapackage.json) or KPLAN_PACKAGES (a folder of them)"
	fi
	(publish_one "$package" "$data" "$out")
	rc=$?
	[ $rc = 0 ] || exit $rc
	if [ "$dry" = 1 ]; then
		echo "publish: done (dry run: nothing was written)" >&2
	else
		echo "publish: done" >&2
	fi
	exit 0
fi

# A folder of packages: each in turn, whatever the others did; then the summary.
mkdir -p "$out" || fail "cannot make the export folder '$out'" 3
quality_all=$quality
worst=0 n=0 bad=0 summary=
parts=
for descriptor in $(packages_in "$KPLAN_PACKAGES"); do
	dir=$(dirname "$descriptor")
	name=$(basename "$dir")
	n=$((n + 1))
	echo "publish: == $name" >&2
	quality=$quality_all.$name
	(publish_one "$descriptor" "$dir" "$out/$name")
	rc=$?
	[ -f "$quality" ] && parts="$parts $quality"
	if [ $rc = 0 ]; then
		summary="$summary
publish:   ok      $name"
	else
		bad=$((bad + 1))
		[ $rc -gt $worst ] && worst=$rc
		summary="$summary
publish:   FAILED  $name (exit $rc)"
	fi
done
# GitLab: one Code Quality report, the packages' lists joined
if [ -n "$parts" ]; then
	{
		printf '['
		sep=
		for p in $parts; do
			inner=$(sed -e '1s/^[[:space:]]*\[//' -e '$s/\][[:space:]]*$//' "$p")
			if [ -n "$(printf '%s' "$inner" | tr -d '[:space:]')" ]; then
				printf '%s%s' "$sep" "$inner"
				sep=,
			fi
			rm -f "$p"
		done
		printf ']\n'
	} >"$quality_all"
fi
echo "publish: $n package(s), $((n - bad)) published$([ "$dry" = 1 ] && echo ' (dry run)'), $bad failed:$summary" >&2
exit $worst
