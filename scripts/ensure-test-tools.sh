#!/usr/bin/env bash
# Installs, from the distribution's packages, every non-npm tool the test suite runs for real:
# ShellCheck (lints every shell script), PostgreSQL server and client (the Clair entrypoint's
# connection tests), openssl (their throwaway TLS certificates), jq (the remote-scan script's JSON
# handling, as in CodeBuild), git (the image build checks), curl (the test registries' readiness
# checks), the AWS CLI (the scan gate's ECR login, stubbed by its tests),
# htpasswd from apache2-utils (a test registry's Basic authentication), and, unpacked into
# node_modules/.cache (never installed), the distribution's docker-registry (its package starts a
# registry on all interfaces) for scripts/with-registry.sh and the distribution's Node 18 (nodejs
# and its libnode, with any of their libraries this machine lacks: the scanner image's Node, which
# the rescan's test runs the bundle with); cfn-lint with pip. On Debian (developer machines, CI) and
# on Ubuntu (the pipeline's pinned CodeBuild standard image). A missing tool is installed or the run
# fails here, loudly: no test may skip because a tool is absent.
set -euo pipefail

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
# The JavaScript Debian's and Ubuntu's libnode load at every start from these fixed paths: their own
# packages (they bring no Node; see the check below).
need /usr/share/nodejs/acorn/dist/acorn.js node-acorn
need /usr/share/nodejs/cjs-module-lexer/lexer.js node-cjs-module-lexer
need /usr/share/nodejs/undici/undici-fetch.js node-undici
cache_dir="$(cd "$(dirname "$0")/.." && pwd)/node_modules/.cache/clair-pipeline"
registry_dir="$cache_dir/docker-registry"
need_registry=false
if [ ! -x "$registry_dir/usr/bin/docker-registry" ]; then need_registry=true; fi
# Keep in step with NODE18_DIR in test/helpers/node18.ts.
node18_dir="$cache_dir/node18"
need_node18=false
if [ ! -x "$node18_dir/usr/bin/node" ]; then need_node18=true; fi

# cfn-lint (test/pipeline/cfn-lint.test.ts) is on PyPI only: pip installs the version its reviewed
# acknowledgements were made with. PIP_BREAK_SYSTEM_PACKAGES lets pip into Debian's own Python.
CFN_LINT_VERSION=1.51.0
if [ "$(cfn-lint --version 2>/dev/null)" != "cfn-lint $CFN_LINT_VERSION" ]; then
  echo "ensure-test-tools: installing cfn-lint==$CFN_LINT_VERSION with pip" >&2
  PIP_BREAK_SYSTEM_PACKAGES=1 pip3 install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION"
fi

if [ ${#missing[@]} -eq 0 ] && [ "$need_registry" = false ] && [ "$need_node18" = false ]; then
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
  # node-acorn depends on a nodejs: the one installed, else apt would install the distribution's
  # Node as the machine's node. Never that: it fails here instead.
  if apt-get install -s --no-install-recommends "${missing[@]}" 2>/dev/null | grep -Eq '^Inst (nodejs|libnode)'; then
    echo "ensure-test-tools: installing ${missing[*]} would install the distribution's nodejs; install a nodejs package first (NodeSource's, say)" >&2
    exit 1
  fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
update_once() {
  if [ "$updated" = false ]; then
    "${sudo[@]}" apt-get update -qq
    updated=true
  fi
}
# unpack <dir> <package[=version]>...: downloads the packages (apt-get download needs no root, but
# package lists: they are updated once if it cannot find one) and unpacks them all into <dir>.
unpack() {
  local dir=$1
  shift
  rm -rf "$download"/*.deb "$dir"
  if ! (cd "$download" && apt-get download "$@") >"$download/apt.log" 2>&1; then
    update_once
    (cd "$download" && apt-get download "$@") >"$download/apt.log" 2>&1 || {
      cat "$download/apt.log" >&2
      exit 1
    }
  fi
  mkdir -p "$dir"
  for deb in "$download"/*.deb; do dpkg-deb -x "$deb" "$dir"; done
}

if [ "$need_registry" = true ]; then
  echo "ensure-test-tools: unpacking docker-registry into $registry_dir" >&2
  unpack "$registry_dir" docker-registry
  test -x "$registry_dir/usr/bin/docker-registry"
fi

if [ "$need_node18" = true ]; then
  # The distribution's newest Node 18 (Debian bookworm: 18.20.4, the scanner image's; Ubuntu 24.04:
  # 18.19.1), asked for by version: another Node (NodeSource's, say) may be the candidate.
  node18_version() { apt-cache madison nodejs | awk -F'|' '{ gsub(/ /, "", $2) } $2 ~ /^18\./ { print $2; exit }'; }
  version=$(node18_version)
  if [ -z "$version" ]; then
    update_once
    version=$(node18_version)
  fi
  if [ -z "$version" ]; then
    echo "ensure-test-tools: this distribution offers no nodejs 18 (the scanner image's Node, which the rescan's test runs); use Debian 12 or Ubuntu 24.04" >&2
    exit 1
  fi
  libnode=$(apt-cache depends "nodejs=$version" | awk '$1 == "Depends:" && $2 ~ /^libnode[0-9]+$/ { print $2 }')
  # Its shared libraries this machine lacks (C and C++ runtimes are always there; node-* are
  # JavaScript the bundle does not load).
  libraries=()
  for dep in $(apt-cache depends "$libnode=$version" | awk '$1 == "Depends:" && $2 !~ /^(node-|libc6$|libgcc-s1$|libstdc\+\+6$)/ { print $2 }'); do
    if ! dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed'; then libraries+=("$dep"); fi
  done
  echo "ensure-test-tools: unpacking nodejs $version, $libnode ${libraries[*]} into $node18_dir" >&2
  unpack "$node18_dir" "nodejs=$version" "$libnode=$version" "${libraries[@]}"
  LD_LIBRARY_PATH="$node18_dir/usr/lib/$(uname -m)-linux-gnu" \
    "$node18_dir/usr/bin/node" -e 'if (!process.version.startsWith("v18.")) process.exit(1)' || {
    rm -rf "$node18_dir"
    echo "ensure-test-tools: the unpacked Node 18 does not run" >&2
    exit 1
  }
fi
