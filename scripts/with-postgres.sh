#!/usr/bin/env bash
# with-postgres.sh <command...>: runs the command next to a throwaway PostgreSQL server set up like
# our RDS database (passwords stored as md5, TLS required over TCP), then stops the server and
# deletes it, whatever happens, and exits with the command's exit code. `npm test` runs jest in it.
#
# The command gets these variables:
#   TEST_PG_HOST        localhost; the server listens on 127.0.0.1 only
#   TEST_PG_PORT        a free port chosen at random
#   TEST_PG_CA          the CA certificate that signed the server's (CN and SAN localhost, 127.0.0.1)
#   TEST_PG_DATABASE    a database every role may connect to
#   TEST_PG_SUPERUSER   superuser role, connecting without a password through...
#   TEST_PG_SOCKET_DIR  ...the Unix socket in this directory (only the server's OS user and root
#                       may use it), e.g.
#                       `psql -h "$TEST_PG_SOCKET_DIR" -p "$TEST_PG_PORT" -U "$TEST_PG_SUPERUSER"`
#
# Needs the PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin) and openssl, both
# installed by scripts/ensure-test-tools.sh. initdb refuses to run as root, so as root the server
# runs as the `postgres` user the package creates.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: with-postgres.sh <command...>" >&2
  exit 64
fi

pg_bin=$(find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname)
if [ -z "$pg_bin" ]; then
  echo "with-postgres: no PostgreSQL server under /usr/lib/postgresql; run scripts/ensure-test-tools.sh" >&2
  exit 1
fi

as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  as_server_user=(runuser -u postgres --)
fi

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")
data="$tmp/data"
socket_dir="$tmp/socket"
superuser=postgres

# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck 0.9 does not follow
cleanup() {
  if [ -f "$data/postmaster.pid" ]; then
    "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A throwaway CA and a server certificate it signed, so clients can use verify-full.
openssl req -x509 -new -nodes -days 2 -subj '/CN=with-postgres test CA' \
  -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$tmp/ca.key" -out "$tmp/ca.crt" 2>/dev/null
openssl req -new -nodes -subj '/CN=localhost' \
  -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" 2>/dev/null
printf '%s\n' 'basicConstraints = CA:FALSE' 'extendedKeyUsage = serverAuth' \
  'subjectAltName = DNS:localhost, IP:127.0.0.1' >"$tmp/server.ext"
openssl x509 -req -days 2 -set_serial 1 -in "$tmp/server.csr" -extfile "$tmp/server.ext" \
  -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" -out "$tmp/server.crt" 2>/dev/null

mkdir -m 0700 "$socket_dir"
if [ "${#as_server_user[@]}" -gt 0 ]; then
  chmod 0755 "$tmp"
  chown -R postgres: "$tmp"
fi
chmod 0600 "$tmp/server.key"

# initdb takes seconds of waiting (it starts the server several times to size it) and makes the
# same cluster for the same server version, owner and options: the first run keeps a copy of it
# in node_modules/.cache (renamed into place whole, so a copy is complete or absent), later runs
# copy that instead.
initdb_args=(-U "$superuser" -A trust -E UTF8 --locale=C --no-sync --no-instructions)
cluster_key=$({ "$pg_bin/postgres" --version && id -u && printf '%s\n' "${initdb_args[@]}"; } | sha256sum | cut -c1-16)
clusters="$root/node_modules/.cache/clair-pipeline/postgres-clusters"
if [ -f "$clusters/$cluster_key/PG_VERSION" ]; then
  cp -a "$clusters/$cluster_key" "$data"
else
  "${as_server_user[@]}" "$pg_bin/initdb" -D "$data" "${initdb_args[@]}" >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    exit 1
  }
  mkdir -p "$clusters"
  partial="$clusters/.partial-$$"
  rm -rf "$partial"
  # Another run may have kept one meanwhile: then this copy is dropped.
  if ! { cp -a "$data" "$partial" && mv -T "$partial" "$clusters/$cluster_key" 2>/dev/null; }; then
    rm -rf "$partial"
  fi
fi

# Like RDS with our parameter group: md5 password hashes (Clair's 2017 driver cannot do SCRAM)
# and no TCP connection without TLS.
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$socket_dir'
unix_socket_permissions = 0700
ssl = on
ssl_cert_file = '$tmp/server.crt'
ssl_key_file = '$tmp/server.key'
password_encryption = md5
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
cat >"$data/pg_hba.conf" <<EOF
local     all all              trust
hostnossl all all 0.0.0.0/0    reject
hostssl   all all 127.0.0.1/32 md5
EOF

# A random port can be taken between the check and the start, so a failed start tries another.
started=false
for _ in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    continue
  fi
  if "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 30 \
    -o "-p $port" start >/dev/null; then
    started=true
    break
  fi
done
if [ "$started" != true ]; then
  echo "with-postgres: PostgreSQL did not start; its log:" >&2
  cat "$tmp/server.log" >&2 || true
  exit 1
fi

export TEST_PG_HOST=localhost
export TEST_PG_PORT="$port"
export TEST_PG_CA="$tmp/ca.crt"
export TEST_PG_DATABASE=postgres
export TEST_PG_SUPERUSER="$superuser"
export TEST_PG_SOCKET_DIR="$socket_dir"

status=0
"$@" || status=$?
exit "$status"
