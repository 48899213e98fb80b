#!/usr/bin/env bash
# The one test command: `npm test` runs this. The README, .ci/run and the pipeline's synth step
# all call `npm test`, so what passes here is what gates a deployment.
#   1. install the system tools the tests use for real (never skip a test for a missing tool);
#   2. type-check the whole tree once (jest runs without type-checking), alongside the tests:
#      tsc spends much of its time waiting on files, and the machine has two cores;
#   3. run jest with a throwaway PostgreSQL and throwaway Docker registries on 127.0.0.1, stopped
#      afterwards whatever happens.
# It fails if either the type-check or any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-tools.sh

# Incremental: a developer's second run only re-checks what changed.
npx tsc --noEmit --incremental --tsBuildInfoFile node_modules/.cache/clair-pipeline/tsbuildinfo &
typecheck=$!

status=0
bash scripts/with-postgres.sh bash scripts/with-registry.sh npx jest "$@" || status=$?
if ! wait "$typecheck"; then
  echo "test: the type-check (tsc --noEmit) failed; see its errors above" >&2
  status=1
fi
exit "$status"
