#!/bin/sh
# Entrypoint of our Clair v2.1.8 image. ECS cannot mount a config file, so at every start this
# renders Clair's config from environment variables (ECS secrets included), refuses to start with
# one line on stderr naming the setting when an input is missing or invalid, and then runs Clair,
# or its own arguments instead (`docker-entrypoint.sh true` only renders the config).
#
#   DB_HOST, DB_NAME, DB_USER  required: where and as whom Clair connects
#   DB_PASSWORD                required secret; reaches the driver as PGPASSWORD, never the file
#   DB_PORT                    default 5432
#   DB_SSLMODE                 default verify-full; or verify-ca, require (encrypted, but no
#                              certificate check is promised), or disable, which needs
#                              CLAIR_ALLOW_INSECURE_DB=true
#   DB_SSLROOTCERT             default /etc/ssl/rds/global-bundle.pem, the RDS CA bundle in the image
#   CLAIR_PAGINATION_KEY       secret fernet key: 32 bytes in URL-safe base64, 44 characters ending
#                              in '=' (43 without the '=' are accepted, e.g. 43 random letters and
#                              digits). Without it Clair makes up its own at every start.
#   CLAIR_REQUIRE_PAGINATION_KEY  default false; true when more than one task may run: tasks must
#                              share one key, or they reject each other's page tokens
#   CLAIR_UPDATER_INTERVAL     default 2h; h/m/s units (2h, 90m, 1h30m), 0 turns the updater off
#   CLAIR_LOG_LEVEL            default info; debug, info, warn(ing), error, fatal or panic
#   CLAIR_CONFIG               default /etc/clair/config.yaml
#
# Clair v2 runs Go's url.Parse on the raw connection string before it connects. This script starts
# the string with the absolute sslrootcert path, so a ':' in any later value can no longer look like
# a URL scheme; what url.Parse still refuses (control characters, a '%' without two hex digits
# after it) is rejected here, before anything starts.
set -eu

die() {
  printf 'docker-entrypoint: %s\n' "$1" >&2
  exit 78 # EX_CONFIG
}

# The helpers below avoid subprocesses, which cost more than all the checks together.

# Every ASCII control character; a trailing character keeps $(...) from dropping the newline.
control_chars=$(printf '\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027\030\031\032\033\034\035\036\037\177.')
control_chars=${control_chars%.}

# True when $1 holds a control character (newline, tab, ...). Environment values cannot hold NUL.
has_control_char() {
  case $1 in
    *["$control_chars"]*) return 0 ;;
  esac
  return 1
}

# Every value checked here is printed back in error messages, so it must stay on one line.
check_line() { # check_line NAME VALUE
  if has_control_char "$2"; then
    die "$1 contains a control character (newline, tab, ...); remove it"
  fi
}

# A value that goes into the connection string: one line, and '%' only as %XX (see the header).
check_source_value() { # check_source_value NAME VALUE
  check_line "$1" "$2"
  rest=$2
  while :; do
    case $rest in
      *%*) rest=${rest#*%} ;;
      *) return 0 ;;
    esac
    case $rest in
      [0-9A-Fa-f][0-9A-Fa-f]*) ;;
      *) die "$1 contains a '%' not followed by two hex digits, which Clair v2 cannot parse in its connection string" ;;
    esac
  done
}

require() { # require NAME VALUE
  if [ -z "$2" ]; then
    die "$1 is required but is empty or unset"
  fi
}

# True when $1 is a whole number from 1 to $2, written without leading zeros.
is_count() { # is_count VALUE MAX
  case $1 in
    '' | 0* | *[!0-9]*) return 1 ;;
  esac
  [ "${#1}" -le "${#2}" ] && [ "$1" -le "$2" ]
}

# True when $1 is a Go duration in h, m and s units, such as 2h, 1.5h or 1h30m.
is_duration() {
  rest=$1
  [ -n "$rest" ] || return 1
  while [ -n "$rest" ]; do
    number=${rest%%[hms]*}
    [ "$number" != "$rest" ] || return 1 # no unit
    case $number in
      '' | . | *[!0-9.]* | *.*.*) return 1 ;;
    esac
    rest=${rest#"$number"?}
  done
}

# Sets REPLY to $1 as a libpq key=value value: single-quoted, with a backslash before ' and \.
conninfo_quote() {
  rest=$1
  REPLY=
  while :; do
    case $rest in
      *[\\\']*) ;;
      *) break ;;
    esac
    head=${rest%%[\\\']*}
    rest=${rest#"$head"}
    REPLY="$REPLY$head\\${rest%"${rest#?}"}"
    rest=${rest#?}
  done
  REPLY="'$REPLY$rest'"
}

# Sets REPLY to $1 with the letters A to Z in lower case and every other byte kept, as
# `tr '[:upper:]' '[:lower:]'` does.
to_lower() {
  rest=$1
  REPLY=
  while [ -n "$rest" ]; do
    char=${rest%"${rest#?}"}
    rest=${rest#?}
    case $char in
      [ABCDEFGHIJKLMNOPQRSTUVWXYZ])
        # The character after the capital in the pairs is its lower case.
        char=${letter_pairs#*"$char"}
        char=${char%"${char#?}"}
        ;;
    esac
    REPLY=$REPLY$char
  done
}
letter_pairs=AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXxYyZz

# Sets REPLY to $1 as a YAML single-quoted scalar: a quote inside is written twice.
yaml_quote() {
  rest=$1
  REPLY=
  while :; do
    case $rest in
      *\'*) ;;
      *) break ;;
    esac
    head=${rest%%\'*}
    REPLY="$REPLY$head''"
    rest=${rest#*\'}
  done
  REPLY="'$REPLY$rest'"
}

db_host=${DB_HOST:-}
db_port=${DB_PORT:-5432}
db_name=${DB_NAME:-}
db_user=${DB_USER:-}
db_password=${DB_PASSWORD:-}
db_sslmode=${DB_SSLMODE:-verify-full}
db_sslrootcert=${DB_SSLROOTCERT:-/etc/ssl/rds/global-bundle.pem}
allow_insecure_db=${CLAIR_ALLOW_INSECURE_DB:-false}
pagination_key=${CLAIR_PAGINATION_KEY:-}
require_pagination_key=${CLAIR_REQUIRE_PAGINATION_KEY:-false}
updater_interval=${CLAIR_UPDATER_INTERVAL:-2h}
log_level=${CLAIR_LOG_LEVEL:-info}
config=${CLAIR_CONFIG:-/etc/clair/config.yaml}

require DB_HOST "$db_host"
check_source_value DB_HOST "$db_host"

check_line DB_PORT "$db_port"
if ! is_count "$db_port" 65535; then
  die "DB_PORT must be a whole number from 1 to 65535, got '$db_port'"
fi

require DB_NAME "$db_name"
check_source_value DB_NAME "$db_name"
require DB_USER "$db_user"
check_source_value DB_USER "$db_user"
# The password never enters the connection string, so any character is fine.
require DB_PASSWORD "$db_password"

check_line CLAIR_ALLOW_INSECURE_DB "$allow_insecure_db"
case $allow_insecure_db in
  true | false) ;;
  *) die "CLAIR_ALLOW_INSECURE_DB must be true or false, got '$allow_insecure_db'" ;;
esac

check_line DB_SSLMODE "$db_sslmode"
case $db_sslmode in
  verify-full | verify-ca | require) ;;
  disable)
    if [ "$allow_insecure_db" != true ]; then
      die "DB_SSLMODE=disable sends the password and all data unencrypted; use verify-full, or set CLAIR_ALLOW_INSECURE_DB=true for a local test database"
    fi
    ;;
  prefer | allow) die "DB_SSLMODE '$db_sslmode' is not supported by Clair's driver (lib/pq); use verify-full, verify-ca or require" ;;
  *) die "DB_SSLMODE must be verify-full, verify-ca, require or disable, got '$db_sslmode'" ;;
esac

check_source_value DB_SSLROOTCERT "$db_sslrootcert"
case $db_sslrootcert in
  /*) ;;
  *) die "DB_SSLROOTCERT must be an absolute path, got '$db_sslrootcert'" ;;
esac
case $db_sslmode in
  verify-*)
    if [ ! -f "$db_sslrootcert" ] || [ ! -r "$db_sslrootcert" ]; then
      die "DB_SSLROOTCERT '$db_sslrootcert' is not a readable file; DB_SSLMODE=$db_sslmode checks the server certificate against it"
    fi
    ;;
esac

check_line CLAIR_REQUIRE_PAGINATION_KEY "$require_pagination_key"
case $require_pagination_key in
  true | false) ;;
  *) die "CLAIR_REQUIRE_PAGINATION_KEY must be true or false, got '$require_pagination_key'" ;;
esac
if [ -n "$pagination_key" ]; then
  # The key is a secret: it is never printed, not even when it is wrong.
  key_body=${pagination_key%=}
  case $key_body in
    *[!A-Za-z0-9_-]*) key_body= ;;
  esac
  if [ "${#key_body}" -ne 43 ]; then
    die "CLAIR_PAGINATION_KEY must be a fernet key: 32 bytes in URL-safe base64, 44 characters ending in '=' (value not shown)"
  fi
  pagination_key="$key_body="
elif [ "$require_pagination_key" = true ]; then
  die "CLAIR_PAGINATION_KEY is required (CLAIR_REQUIRE_PAGINATION_KEY=true): tasks with different keys reject each other's page tokens"
fi

check_line CLAIR_UPDATER_INTERVAL "$updater_interval"
# A subset of Go's time.ParseDuration: no sign (a negative interval makes Clair update
# back to back) and no sub-second units.
if [ "$updater_interval" != 0 ] && ! is_duration "$updater_interval"; then
  die "CLAIR_UPDATER_INTERVAL must be a duration such as 2h, 90m or 1h30m (units h, m, s), or 0 to turn the updater off; got '$updater_interval'"
fi

check_line CLAIR_LOG_LEVEL "$log_level"
to_lower "$log_level"
log_level=$REPLY
case $log_level in
  # logrus 0.11 (Clair's) has no trace level; on a level it does not know Clair logs almost nothing.
  debug | info | warn | warning | error | fatal | panic) ;;
  *) die "CLAIR_LOG_LEVEL must be debug, info, warn, error, fatal or panic, got '$log_level'" ;;
esac

check_line CLAIR_CONFIG "$config"
case $config in
  *'$'*) die "CLAIR_CONFIG must not contain '\$': Clair expands environment variables in its -config path" ;;
  */) die "CLAIR_CONFIG must name a file, got the directory '$config'" ;;
  /*) ;;
  *) die "CLAIR_CONFIG must be an absolute path, got '$config'" ;;
esac

# sslrootcert comes first: its value starts with '/', see the header.
conninfo=
for setting in sslrootcert="$db_sslrootcert" sslmode="$db_sslmode" host="$db_host" \
  port="$db_port" dbname="$db_name" user="$db_user" connect_timeout=10; do
  conninfo_quote "${setting#*=}"
  conninfo="$conninfo${conninfo:+ }${setting%%=*}=$REPLY"
done
yaml_quote "$conninfo"
source_yaml=$REPLY
yaml_quote "$updater_interval"
interval_yaml=$REPLY
yaml_quote "$pagination_key"
pagination_key_yaml=$REPLY

umask 077
config_dir=${config%/*}
config_dir=${config_dir:-/}
[ -d "$config_dir" ] || mkdir -p "$config_dir"
tmp=$(mktemp "$config_dir/.config.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  printf '%s\n' '# Rendered by docker-entrypoint.sh at container start; edits are lost on restart.'
  printf '%s\n' 'clair:'
  printf '%s\n' '  database:'
  printf '%s\n' '    type: pgsql'
  printf '%s\n' '    options:'
  printf '%s\n' '      # No password here: the driver reads PGPASSWORD from the environment.'
  printf '      source: %s\n' "$source_yaml"
  printf '%s\n' '      cachesize: 16384'
  printf '%s\n' '      managedatabaselifecycle: false'
  printf '%s\n' '  api:'
  printf '%s\n' '    port: 6060'
  printf '%s\n' '    healthport: 6061'
  printf '%s\n' '    timeout: 900s'
  if [ -n "$pagination_key" ]; then
    printf '    paginationkey: %s\n' "$pagination_key_yaml"
  fi
  printf '%s\n' '  updater:'
  printf '    interval: %s\n' "$interval_yaml"
  printf '%s\n' '  notifier:'
  printf '%s\n' '    attempts: 3'
  printf '%s\n' '    renotifyinterval: 2h'
} >"$tmp"
mv -f "$tmp" "$config"
trap - EXIT

# lib/pq also reads PG* variables: most would override or bypass the settings above, and some make
# it panic (PGHOSTADDR, PGSERVICE, PGREALM, PGSSLCRL, ...). The connection comes from DB_* only.
ignored=
for name in PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGPASSFILE PGSERVICE \
  PGSERVICEFILE PGREALM PGOPTIONS PGAPPNAME PGSSLMODE PGREQUIRESSL PGSSLCOMPRESSION PGSSLCERT \
  PGSSLKEY PGSSLROOTCERT PGSSLCRL PGSSLCRLDIR PGSSLSNI PGREQUIREPEER PGSSLMINPROTOCOLVERSION \
  PGSSLMAXPROTOCOLVERSION PGGSSENCMODE PGKRBSRVNAME PGGSSLIB PGCONNECT_TIMEOUT PGCLIENTENCODING \
  PGTARGETSESSIONATTRS PGDATESTYLE PGTZ PGGEQO PGSYSCONFDIR PGLOCALEDIR; do
  if eval "[ -n \"\${$name+set}\" ]"; then
    ignored="$ignored $name"
    unset "$name"
  fi
done
if [ -n "$ignored" ]; then
  printf 'docker-entrypoint: ignoring%s: the database connection comes from DB_* settings only\n' "$ignored" >&2
fi

PGPASSWORD=$db_password
export PGPASSWORD
unset DB_PASSWORD CLAIR_PAGINATION_KEY

if [ "$#" -eq 0 ]; then
  set -- clair -config "$config" -log-level "$log_level"
fi
exec "$@"
