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

# config FILE AUTH-YAML [HTTP-YAML]: a registry configuration over the shared storage, with
# HTTP-YAML's lines under http:; the address comes from REGISTRY_HTTP_ADDR (the registry's
# environment override).
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

# The open registry also accepts Docker schema-1 pushes (refused by default since 2.8), so the gate's
# tests can push one.
config "$tmp/open.yaml" "compatibility:
  schema1:
    enabled: true"
config "$tmp/tls.yaml" "auth:
  htpasswd:
    realm: with-registry
    path: $tmp/htpasswd" "  tls:
    certificate: $tmp/tls.crt
    key: $tmp/tls.key"

# launch NAME PORT COMMAND...: starts COMMAND in the background, its output in NAME's log.
launch() {
  local name=$1 port=$2
  shift 2
  "$@" >"$tmp/$name.log" 2>&1 &
  pids+=("$!")
  names+=("$name")
  urls+=("$port")
}

# up INDEX READY-STATUS URL: waits (up to 5 s) until the INDEX-th launched server answers URL with
# READY-STATUS; fails as soon as it has exited.
up() {
  local status
  for _ in $(seq 100); do
    # --insecure: only to see it is up; the TLS registry's certificate is self-signed on purpose.
    status=$(curl -s --insecure -o /dev/null -w '%{http_code}' "$3" || true)
    if [ "$status" = "$2" ]; then return 0; fi
    kill -0 "${pids[$1]}" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# The four servers start together, each on a free port chosen at random. A port can be taken
# between the check and the start: then all four are stopped and started again on other ports.
for attempt in 1 2 3 4 5; do
  ports=()
  while [ "${#ports[@]}" -lt 4 ]; do
    port=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || [[ " ${ports[*]} " == *" $port "* ]]; then continue; fi
    ports+=("$port")
  done
  token_port=${ports[0]} open_port=${ports[1]} auth_port=${ports[2]} tls_port=${ports[3]}
  config "$tmp/auth.yaml" "auth:
  token:
    realm: http://127.0.0.1:$token_port/token
    service: with-registry
    issuer: with-registry
    rootcertbundle: $tmp/token.crt"
  pids=() names=() urls=()
  launch token-server "$token_port" node "$root/test/helpers/registry/token-server.js" "$token_port" \
    "$tmp/token.key" "$tmp/token.crt" with-registry "$user" "$password"
  launch open "$open_port" env REGISTRY_HTTP_ADDR="127.0.0.1:$open_port" "$registry_bin" serve "$tmp/open.yaml"
  launch auth "$auth_port" env REGISTRY_HTTP_ADDR="127.0.0.1:$auth_port" "$registry_bin" serve "$tmp/auth.yaml"
  launch tls "$tls_port" env REGISTRY_HTTP_ADDR="127.0.0.1:$tls_port" "$registry_bin" serve "$tmp/tls.yaml"
  # The token server knows only /token: its 401 on /v2/ says it is up.
  failed=()
  up 0 401 "http://127.0.0.1:$token_port/v2/" || failed+=(0)
  up 1 200 "http://127.0.0.1:$open_port/v2/" || failed+=(1)
  up 2 401 "http://127.0.0.1:$auth_port/v2/" || failed+=(2)
  up 3 401 "https://127.0.0.1:$tls_port/v2/" || failed+=(3)
  if [ "${#failed[@]}" -eq 0 ]; then break; fi
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  if [ "$attempt" -eq 5 ]; then
    for i in "${failed[@]}"; do
      echo "with-registry: ${names[$i]} did not start (port ${urls[$i]}, attempt $attempt); its log:" >&2
      cat "$tmp/${names[$i]}.log" >&2
    done
    exit 1
  fi
done

export TEST_REGISTRY="127.0.0.1:$open_port"
export TEST_REGISTRY_AUTH="127.0.0.1:$auth_port"
export TEST_REGISTRY_TLS="127.0.0.1:$tls_port"
export TEST_REGISTRY_USER="$user"
export TEST_REGISTRY_PASSWORD="$password"

status=0
"$@" || status=$?
exit "$status"
