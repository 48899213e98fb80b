#!/usr/bin/env bash
# The one test command: `npm test` runs this. The README, .ci/run and the pipeline's synth step
# all call `npm test`, so what passes here is what gates a deployment.
#   1. install the system tools the tests use for real (never skip a test for a missing tool);
#   2. type-check the whole tree once (jest then runs without type-checking);
#   3. run jest with a throwaway PostgreSQL on 127.0.0.1, stopped afterwards whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-test-tools.sh
npx tsc --noEmit
bash scripts/with-postgres.sh npx jest "$@"
