#!/usr/bin/env bash
# publish-env.sh DIR NAME PREFIX...: writes the exported variables whose names start with a PREFIX
# to DIR/NAME, each as NAME=value ended by a NUL byte (a value may hold anything but NUL), whole
# (through DIR/NAME.partial) or not at all, then waits until it is stopped (TERM to the process id
# in DIR/NAME.pid). It stops at once instead when DIR holds a file named `stop`: the run ended
# before it was ready.
#
# scripts/test.sh runs it inside scripts/with-postgres.sh and scripts/with-registry.sh, started in
# the background, so that their servers start while jest does; jest's global setup waits for
# DIR/NAME and hands the variables to the tests (test/global-setup.ts). Stopping it ends the
# wrapper, which then stops its servers and removes their files.
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: publish-env.sh DIR NAME PREFIX..." >&2
  exit 64
fi
dir=$1 name=$2
shift 2
# Stopped, it ends with exit 0 (a shell that waits for a command killed by a signal reports it),
# and takes its sleep along.
# shellcheck disable=SC2046 # the ids of its background jobs (the sleep), one word each
trap 'kill $(jobs -p) 2>/dev/null || true; exit 0' TERM
# The process id first, then the check for `stop`: scripts/test.sh writes `stop` first, then reads
# the process ids, so either it finds this one or this finds `stop`.
echo "$$" >"$dir/$name.pid"
if [ -e "$dir/stop" ]; then exit 0; fi
: >"$dir/$name.partial"
while IFS= read -r variable; do
  for prefix in "$@"; do
    if [[ $variable == "$prefix"* ]]; then
      printf '%s=%s\0' "$variable" "${!variable}" >>"$dir/$name.partial"
      break
    fi
  done
done < <(compgen -e)
mv "$dir/$name.partial" "$dir/$name"
sleep infinity &
wait
