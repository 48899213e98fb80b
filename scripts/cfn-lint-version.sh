#!/usr/bin/env bash
# cfn-lint-version.sh: prints `cfn-lint <version>` for the cfn-lint on PATH, as `cfn-lint --version`
# does, or nothing when there is none. It reads the version from the Python package's metadata with
# the interpreter cfn-lint's command runs with (behind a pyenv shim, the program the shim runs):
# `cfn-lint --version` loads all of cfn-lint, about 2 s of CPU, and the test command asks on every
# run (scripts/ensure-test-tools.sh, test/pipeline/cfn-lint.test.ts).
set -uo pipefail

command=$(command -v cfn-lint) || exit 0
case $command in
  */shims/*) command=$(pyenv which cfn-lint 2>/dev/null) || exit 0 ;;
esac
interpreter=$(sed -n '1s/^#!//p' "$command")
case $interpreter in
  *python*) ;;
  *) exit 0 ;; # not a Python console script: nothing to read the version with
esac
# The interpreter line may be "/usr/bin/env python3": split on purpose.
# shellcheck disable=SC2086
version=$($interpreter -c 'import importlib.metadata as m; print(m.version("cfn-lint"))' 2>/dev/null) || exit 0
printf 'cfn-lint %s\n' "$version"
