#!/usr/bin/env bash
# with-registry.sh <command...>: runs the command next to throwaway Docker registries (the
# distribution project's registry, from Debian's docker-registry package, unpacked by
# scripts/ensure-test-tools.sh, never installed: the package would start a service on all
# interfaces), then stops them and deletes their storage, whatever happens, and exits with the
# command's exit code. `npm test` runs jest in it, inside with-postgres.sh.
#
# Three registries serve the same storage, so an image pushed to the first is readable from all:
#   TEST_REGISTRY            host:port of a registry without authentication (plain http); push here
#                            (it also accepts signed Docker schema-1 manifests)
#   TEST_REGISTRY_AUTH       host:port of a registry that takes only bearer tokens (plain http) from
#                            the token server below, which grants pull to TEST_REGISTRY_USER with
#                            TEST_REGISTRY_PASSWORD and answers 401 to anyone else
#   TEST_REGISTRY_TLS        host:port of a registry behind HTTPS with a self-signed certificate
#                            (for 127.0.0.1, not trusted by anyone) and htpasswd (Basic)
#                            authentication of TEST_REGISTRY_USER with TEST_REGISTRY_PASSWORD
# All listen on 127.0.0.1 only, on free ports chosen at random.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: with-registry.sh <command...>" >&2
  exit 64
fi
root=$(cd "$(dirname "$0")/.." && pwd)
registry_bin="$root/node_modules/.cache/clair-pipeline/docker-registry/usr/bin/docker-registry"
if [ ! -x "$registry_bin" ]; then
  echo "with-registry: no $registry_bin; run scripts/ensure-test-tools.sh" >&2
  exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-registry.XXXXXX")
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck 0.9 does not follow
cleanup() {
  if [ "${#pids[@]}" -gt 0 ]; then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

user=scanner
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
openssl req -x509 -new -nodes -days 2 -subj '/CN=with-registry token signer' \
  -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$tmp/token.key" -out "$tmp/token.crt" 2>/dev/null
openssl req -x509 -new -nodes -days 2 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' \
  -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
# The registry's htpasswd file takes bcrypt only; the password goes in on standard input.
printf '%s\n' "$password" | htpasswd -Bin "$user" >"$tmp/htpasswd" 2>/dev/null

# start NAME SCHEME READY-STATUS COMMAND...: starts COMMAND (where @PORT@ is replaced by a free
# port) in the background until SCHEME://127.0.0.1:<port>/v2/ answers READY-STATUS, trying another
# port when the chosen one is taken between the check and the start; sets started_port.
start() {
  local name=$1 scheme=$2 ready=$3 port pid attempt args status
  shift 3
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
    args=("${@//@PORT@/$port}")
    "${args[@]}" >"$tmp/$name.log" 2>&1 &
    pid=$!
    for attempt in $(seq 100); do
      # --insecure: only to see it is up; the TLS registry's certificate is self-signed on purpose.
      status=$(curl -s --insecure -o /dev/null -w '%{http_code}' "$scheme://127.0.0.1:$port/v2/" || true)
      if [ "$status" = "$ready" ]; then
        pids+=("$pid")
        started_port=$port
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "with-registry: $name did not start (last tried port $port, attempt $attempt); its log:" >&2
  cat "$tmp/$name.log" >&2
  exit 1
}

# config FILE AUTH-YAML [HTTP-YAML]: a registry configuration over the shared storage, with
# HTTP-YAML's lines under http:; the address comes from REGISTRY_HTTP_ADDR (the registry's
# environment override), so a retry can change the port.
config() {
  cat >"$1" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $tmp/storage
http:
  secret: $password
${3:-}
$2
YAML
}

# The token server knows only /token: its 401 on /v2/ says it is up.
start token-server http 401 node "$root/test/helpers/registry/token-server.js" @PORT@ \
  "$tmp/token.key" "$tmp/token.crt" with-registry "$user" "$password"
token_port=$started_port

# The open registry also accepts Docker schema-1 pushes (refused by default since 2.8), so the gate's
# tests can push one.
config "$tmp/open.yaml" "compatibility:
  schema1:
    enabled: true"
start open http 200 env REGISTRY_HTTP_ADDR=127.0.0.1:@PORT@ "$registry_bin" serve "$tmp/open.yaml"
open_port=$started_port

config "$tmp/auth.yaml" "auth:
  token:
    realm: http://127.0.0.1:$token_port/token
    service: with-registry
    issuer: with-registry
    rootcertbundle: $tmp/token.crt"
start auth http 401 env REGISTRY_HTTP_ADDR=127.0.0.1:@PORT@ "$registry_bin" serve "$tmp/auth.yaml"
auth_port=$started_port

config "$tmp/tls.yaml" "auth:
  htpasswd:
    realm: with-registry
    path: $tmp/htpasswd" "  tls:
    certificate: $tmp/tls.crt
    key: $tmp/tls.key"
start tls https 401 env REGISTRY_HTTP_ADDR=127.0.0.1:@PORT@ "$registry_bin" serve "$tmp/tls.yaml"

export TEST_REGISTRY="127.0.0.1:$open_port"
export TEST_REGISTRY_AUTH="127.0.0.1:$auth_port"
export TEST_REGISTRY_TLS="127.0.0.1:$started_port"
export TEST_REGISTRY_USER="$user"
export TEST_REGISTRY_PASSWORD="$password"

status=0
"$@" || status=$?
exit "$status"
