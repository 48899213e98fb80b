#!/usr/bin/env bash
# Installs, from the distribution's packages, every non-npm tool the test suite runs for real:
# ShellCheck (lints every shell script), PostgreSQL server and client (the Clair entrypoint's
# connection tests), openssl (their throwaway TLS certificates), jq (the remote-scan script's JSON
# handling, as in CodeBuild), git (the image build checks), curl (the test registries' readiness
# checks), the AWS CLI (the scanner build's record upload, made against a local stand-in),
# htpasswd from apache2-utils (a test registry's Basic authentication), and Debian's or Ubuntu's
# docker-registry, unpacked into node_modules/.cache (never installed: its package starts a
# registry on all interfaces) for
# scripts/with-registry.sh; cfn-lint with pip. On Debian (developer machines, CI) and on
# Ubuntu (the pipeline's pinned CodeBuild standard image). A missing tool is installed or the run
# fails here, loudly: no test may skip because a tool is absent.
#
# ensure-test-tools.sh [system] [cfn-lint]: only those parts (default both). scripts/test.sh makes
# sure of the system's packages first and of cfn-lint alongside the servers' start: its check asks
# pyenv, about 1 s.
set -euo pipefail

parts=" ${*:-system cfn-lint} "
for part in $parts; do
  case $part in
    system | cfn-lint) ;;
    *)
      echo "ensure-test-tools: unknown part '$part'; the parts are system and cfn-lint" >&2
      exit 64
      ;;
  esac
done

# cfn-lint (test/pipeline/cfn-lint.test.ts) is on PyPI only: pip installs the version its reviewed
# acknowledgements were made with. PIP_BREAK_SYSTEM_PACKAGES lets pip into Debian's own Python.
CFN_LINT_VERSION=1.51.0
if [[ $parts == *" cfn-lint "* ]] && [ "$(bash "$(dirname "$0")/cfn-lint-version.sh")" != "cfn-lint $CFN_LINT_VERSION" ]; then
  echo "ensure-test-tools: installing cfn-lint==$CFN_LINT_VERSION with pip" >&2
  PIP_BREAK_SYSTEM_PACKAGES=1 pip3 install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi
if [[ $parts != *" system "* ]]; then
  exit 0
fi

missing=()
need() { # need <command-or-path> <package>
  if ! command -v "$1" >/dev/null 2>&1 && ! compgen -G "$1" >/dev/null; then
    missing+=("$2")
  fi
}
need shellcheck shellcheck
need psql postgresql-client
need '/usr/lib/postgresql/*/bin/initdb' postgresql
need openssl openssl
need jq jq
need git git
need curl curl
need htpasswd apache2-utils
need aws awscli
registry_dir="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.cache/clair-pipeline/docker-registry"
need_registry=false
if [ ! -x "$registry_dir/usr/bin/docker-registry" ]; then need_registry=true; fi

if [ ${#missing[@]} -eq 0 ] && [ "$need_registry" = false ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo -n)
  elif [ ${#missing[@]} -gt 0 ]; then
    echo "ensure-test-tools: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
updated=false
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-test-tools: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  updated=true
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$need_registry" = true ]; then
  echo "ensure-test-tools: unpacking docker-registry into $registry_dir" >&2
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  # apt-get download needs no root, but package lists: update them once if it cannot find it.
  if ! (cd "$download" && apt-get download docker-registry) >"$download/apt.log" 2>&1; then
    if [ "$updated" = false ]; then "${sudo[@]}" apt-get update -qq; fi
    (cd "$download" && apt-get download docker-registry) >"$download/apt.log" 2>&1 || {
      cat "$download/apt.log" >&2
      exit 1
    }
  fi
  rm -rf "$registry_dir"
  mkdir -p "$registry_dir"
  dpkg-deb -x "$download"/docker-registry_*.deb "$registry_dir"
  test -x "$registry_dir/usr/bin/docker-registry"
fi
