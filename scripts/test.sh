#!/usr/bin/env bash
# The one test command: `npm test` runs this. The README, .ci/run and the pipeline's synth step
# all call `npm test`, so what passes here is what gates a deployment.
#   1. install the system tools the tests use for real (never skip a test for a missing tool);
#   2. type-check the whole tree once (jest runs without type-checking), alongside the tests:
#      tsc spends much of its time waiting on files, and the machine has two cores;
#   3. run jest with a throwaway PostgreSQL and throwaway Docker registries on 127.0.0.1, stopped
#      afterwards whatever happens, with TMPDIR set to one fresh directory for the run (in /dev/shm
#      when it is roomy; each test file gets its own inside it, test/temp-dir.ts), removed
#      afterwards whatever happens. The servers, and the check of cfn-lint's version, start in the
#      background alongside jest (about 2 s of waiting less): jest's global setup waits for each to
#      publish its variables (scripts/publish-env.sh, test/global-setup.ts) before any test runs,
#      and fails the run, naming it, if one could not start.
# It fails if the type-check or any test fails, or if anything was left in that directory.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-tools.sh system

# Build mode over the incremental build info (tsconfig.json): when neither a source file nor
# tsconfig.json changed since the last clean type-check, it does not re-parse the ~3,400
# declaration files of aws-cdk-lib (about 1 s of CPU instead of 13 s); after a failed one it checks
# again. It does not notice changed dependencies, so an install starts it afresh.
buildinfo=node_modules/.cache/clair-pipeline/tsbuildinfo
if [ node_modules/.package-lock.json -nt "$buildinfo" ]; then rm -f "$buildinfo"; fi
# The jest workers' V8 code cache of node_modules (test/native-code-cache.js): its entries are
# keyed by each file's text, so an install leaves the old ones unused; it starts afresh then.
code_cache=node_modules/.cache/clair-pipeline/v8-code-cache
if [ node_modules/.package-lock.json -nt "$code_cache" ]; then rm -rf "$code_cache"; fi
# tsc and jest from node_modules/.bin directly: npx would start npm first, about 0.5 s of CPU each.
node_modules/.bin/tsc --build &
typecheck=$!

# In memory when the machine has a roomy /dev/shm (a run writes a few hundred MB: the fixture
# assemblies, the database, the registries' storage): the tests write and remove many small files,
# and on a disk that is about 2 s of the kernel's time a run. A container's /dev/shm (64 MB by
# default) is too small, so there it is TMPDIR as before.
tmp_parent=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -ge 2097152 ]; then
  tmp_parent=/dev/shm
fi
run_tmp=$(mktemp -d "$tmp_parent/clair-pipeline-test.XXXXXX")
# Where the background jobs publish (scripts/publish-env.sh): NAME with its variables when ready,
# NAME.failed with its exit status when it ended without; `stop` tells those not yet ready to stop.
jobs_dir=$(mktemp -d "${TMPDIR:-/tmp}/clair-pipeline-test-jobs.XXXXXX")
background=()
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck 0.9 does not follow
stop_background() {
  touch "$jobs_dir/stop"
  local pid_file
  for pid_file in "$jobs_dir"/*.pid; do
    if [ -f "$pid_file" ]; then kill "$(cat "$pid_file")" 2>/dev/null || true; fi
  done
  if [ "${#background[@]}" -gt 0 ]; then wait "${background[@]}" 2>/dev/null || true; fi
  background=()
  # Called again on exit: the ids of processes that ended may be another's by then.
  rm -f "$jobs_dir"/*.pid
}
trap 'stop_background; rm -rf "$run_tmp" "$jobs_dir"' EXIT
# PostgreSQL's server runs as its own user (when we are root): it may pass through, not list.
chmod 711 "$run_tmp"

# in_background NAME COMMAND...: runs COMMAND in the background, which publishes NAME when ready;
# if it ends without having published, NAME.failed gets its exit status.
in_background() {
  local name=$1
  shift
  {
    local job_status=0
    "$@" || job_status=$?
    if [ ! -f "$jobs_dir/$name" ]; then echo "$job_status" >"$jobs_dir/$name.failed"; fi
  } &
  background+=("$!")
}
# shellcheck disable=SC2016 # $1 is the inner shell's
in_background cfn-lint bash -c 'bash scripts/ensure-test-tools.sh cfn-lint && : >"$1"' _ "$jobs_dir/cfn-lint"
in_background postgres env TMPDIR="$run_tmp" bash scripts/with-postgres.sh \
  bash scripts/publish-env.sh "$jobs_dir" postgres TEST_PG_
in_background registry env TMPDIR="$run_tmp" bash scripts/with-registry.sh \
  bash scripts/publish-env.sh "$jobs_dir" registry TEST_REGISTRY

status=0
TMPDIR="$run_tmp" CLAIR_PIPELINE_TEST_JOBS_DIR="$jobs_dir" CLAIR_PIPELINE_TEST_JOBS="cfn-lint postgres registry" \
  node_modules/.bin/jest "$@" || status=$?
# The servers stop and remove their files before the check for what the tests left.
stop_background
leftovers=$(find "$run_tmp" -mindepth 1 -maxdepth 1)
if [ -n "$leftovers" ]; then
  printf 'test: the tests left files in their TMPDIR (removed now):\n%s\n' "$leftovers" >&2
  status=1
fi
if ! wait "$typecheck"; then
  echo "test: the type-check (tsc --build) failed; see its errors above" >&2
  status=1
fi
exit "$status"
