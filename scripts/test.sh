#!/usr/bin/env bash
# The one test command: `npm test` runs this. The README, .ci/run and the pipeline's synth step
# all call `npm test`, so what passes here is what gates a deployment.
#   1. install the system tools the tests use for real (never skip a test for a missing tool);
#   2. type-check the whole tree once (jest runs without type-checking), alongside the tests:
#      tsc spends much of its time waiting on files, and the machine has two cores;
#   3. run jest with a throwaway PostgreSQL and throwaway Docker registries on 127.0.0.1, stopped
#      afterwards whatever happens, with TMPDIR set to one fresh directory for the run (in /dev/shm
#      when it is roomy; each test file gets its own inside it, test/temp-dir.ts), removed
#      afterwards whatever happens.
# It fails if the type-check or any test fails, or if anything was left in that directory.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-tools.sh

# Build mode over the incremental build info (tsconfig.json): when neither a source file nor
# tsconfig.json changed since the last clean type-check, it does not re-parse the ~3,400
# declaration files of aws-cdk-lib (about 1 s of CPU instead of 13 s); after a failed one it checks
# again. It does not notice changed dependencies, so an install starts it afresh.
buildinfo=node_modules/.cache/clair-pipeline/tsbuildinfo
if [ node_modules/.package-lock.json -nt "$buildinfo" ]; then rm -f "$buildinfo"; fi
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
trap 'rm -rf "$run_tmp"' EXIT
# PostgreSQL's server runs as its own user (when we are root): it may pass through, not list.
chmod 711 "$run_tmp"
status=0
TMPDIR="$run_tmp" bash scripts/with-postgres.sh bash scripts/with-registry.sh node_modules/.bin/jest "$@" || status=$?
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
