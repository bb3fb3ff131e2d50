# The CI files, tried by real tools: ci/github-actions.yml by a workflow validator (npm
# @action-validator/cli, with a broken copy that it must refuse), and ci/gitlab-ci.yml
# run by a local GitLab runner (npm gitlab-ci-local) in a shell: its merge-request job
# installs, builds and dry-runs the publishing against the CKAN test server, and leaves
# validate's Code Quality report as the job's artifact.  The npm packages are installed
# once into build/npm-ci (the npm registry is reachable; no container engine is needed).
. "$KPLAN_TOP/tests/servers/upload-lib.sh"
command -v npm >/dev/null || fail "npm is missing: the CI files are checked with npm tools"
command -v rsync >/dev/null || fail "rsync is missing (gitlab-ci-local copies the project with it)"
tools=$KPLAN_TOP/build/npm-ci
if [ ! -x "$tools/node_modules/.bin/gitlab-ci-local" ] || [ ! -x "$tools/node_modules/.bin/action-validator" ]; then
	mkdir -p "$tools"
	# gitlab-ci-local 4.45 is the last to run on Node.js 20
	(cd "$tools" && npm install --no-audit --no-fund --silent @action-validator/cli@0.6.0 \
		@action-validator/core@0.6.0 gitlab-ci-local@4.45.2 >"$work/npm.log" 2>&1) ||
		fail "npm install: $(tail -5 "$work/npm.log")"
fi

# GitHub Actions: the workflow is valid, and the validator does refuse a broken one.
"$tools/node_modules/.bin/action-validator" "$KPLAN_TOP/ci/github-actions.yml" >"$work/av" 2>&1 ||
	fail "ci/github-actions.yml: $(cat "$work/av")"
sed 's/^\( *\)runs-on:/\1runs-onn:/' "$KPLAN_TOP/ci/github-actions.yml" >"$work/broken.yml"
if "$tools/node_modules/.bin/action-validator" "$work/broken.yml" >/dev/null 2>&1; then
	fail "the workflow validator accepted a broken workflow"
fi

# GitLab CI: a city's data repository (two packages) whose .gitlab-ci.yml includes a
# copy of ci/gitlab-ci.yml; kplan comes from KPLAN_REPOSITORY, here a git repository of
# this checkout as committed, built and installed by the job.  The job's image is unset
# for the shell runner.  gitlab-ci-local marks its runs with GITLAB_CI=false; GitLab
# sets it to true, as here.
mkdir "$work/kplan"
(cd "$KPLAN_TOP" && git ls-files -z | xargs -0 cp --parents -t "$work/kplan")
(cd "$work/kplan" && git init -q && git add -A &&
	git -c user.email=ci@example.jp -c user.name=ci commit -qm kplan) || fail "git (kplan)"
mkdir -p "$work/project/ci" "$work/project/packages"
cp "$KPLAN_TOP/ci/gitlab-ci.yml" "$work/project/ci/kplan-publish.yml"
for name in plan glossary; do
	mkdir "$work/project/packages/$name"
	cp "$KPLAN_TOP"/schemas/kanazawa-plan/*.json "$work/project/packages/$name/"
	cp "$KPLAN_TOP"/samples/kanazawa-2019/*.csv "$work/project/packages/$name/"
done
cat >"$work/project/.gitlab-ci.yml" <<'EOF'
include:
  - local: ci/kplan-publish.yml
variables:
  KPLAN_PACKAGES: packages

# gitlab-ci-local runs the job in a shell here (no container engine on the machine)
.kplan-publish:
  image: null
EOF
(cd "$work/project" && git init -q && git add -A &&
	git -c user.email=ci@example.jp -c user.name=ci commit -qm project) || fail "git"
start_ckan
rc=0
(cd "$work/project" && "$tools/node_modules/.bin/gitlab-ci-local" \
	--variable CI_PIPELINE_SOURCE=merge_request_event --variable GITLAB_CI=true \
	--variable "KPLAN_REPOSITORY=$work/kplan" --variable "KPLAN_PORTAL=$CKAN" \
	--variable KPLAN_ORG=kanazawa --variable "KPLAN_UPLOAD_ARGS=--insecure-http --timeout 5" \
	publish-dry-run) >"$work/job.log" 2>&1 || rc=$?
[ $rc = 0 ] || fail "the merge-request job failed ($rc): $(tail -20 "$work/job.log")"
grep -q 'publish: 2 package(s), 2 published (dry run), 0 failed' "$work/job.log" || fail "job: $(tail -20 "$work/job.log")"
# the push job is not run for a merge request
grep -q 'publish-dry-run' "$work/job.log" && ! grep -q '^publish >' "$work/job.log" ||
	fail "jobs run: $(grep -o '^[a-z-]* >' "$work/job.log" | sort -u)"
report=$(find "$work/project" -name gl-code-quality-report.json | head -n 1)
[ -n "$report" ] || fail "no Code Quality report was kept"
"$KPLAN_PYTHON" -c 'import json, sys; assert isinstance(json.load(open(sys.argv[1])), list)' "$report" ||
	fail "the Code Quality report is not a JSON list: $(head -c 300 "$report")"
echo "ci: github-actions.yml valid; gitlab-ci.yml's merge-request job installed kplan and dry-ran a city's packages"
