#!/bin/sh
# verify-ca-bundle.sh <bundle.pem> <organization>: fails unless the file holds at least one
# certificate, nothing but certificates, each one parsing as X.509, each one a CA
# (basicConstraints CA:TRUE), and each one with <organization> as its subject's O.
#
# The Dockerfile downloads the RDS CA bundle at build time and cannot pin it by checksum: AWS
# publishes none, and the file changes whenever AWS adds or rotates a regional CA. This check makes
# sure that what arrived over HTTPS is a bundle of Amazon CA certificates, not an error page,
# a truncated file or something else.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: verify-ca-bundle.sh <bundle.pem> <organization>" >&2
  exit 64
fi
bundle=$1
organization=$2

# printf, not echo: dash's echo would read backslashes in a name as escapes.
fail() {
  printf 'verify-ca-bundle: %s %s\n' "$bundle" "$1" >&2
  exit 1
}

[ -f "$bundle" ] || fail "does not exist"
blocks=$(grep -c -e '-----BEGIN ' "$bundle" || true)
certs=$(grep -c -x -e '-----BEGIN CERTIFICATE-----' "$bundle" || true)
[ "$certs" -gt 0 ] || fail "holds no certificate"
[ "$blocks" -eq "$certs" ] || fail "holds $((blocks - certs)) PEM blocks that are not certificates"

split=$(mktemp -d)
trap 'rm -rf "$split"' EXIT
awk -v dir="$split" '
  /^-----BEGIN CERTIFICATE-----$/ { n++; file = sprintf("%s/%04d.pem", dir, n) }
  file { print > file }
  /^-----END CERTIFICATE-----$/ { close(file); file = "" }
' "$bundle"

nl='
'
n=0
for cert in "$split"/*.pem; do
  n=$((n + 1))
  # One openssl run per certificate (each costs more than all the checks): a "subject=" line and
  # one "KEY=value" line per name component, each indented by four spaces, control characters
  # escaped (so no value can make a line of its own); then the basicConstraints extension, if any.
  # SSL_CERT_FILE: x509 loads the system's trusted certificates at start, about half of its time
  # with OpenSSL 3.0, and needs none of them to print.
  text=$(SSL_CERT_FILE=/dev/null openssl x509 -in "$cert" -noout -subject \
    -nameopt sep_multiline,sname,utf8,esc_ctrl -ext basicConstraints 2>/dev/null) ||
    fail "certificate $n does not parse"
  subject=${text%%"${nl}X509v3 Basic Constraints"*}
  case ${text#"$subject"} in
    *CA:TRUE*) ;;
    *) fail "certificate $n is not a CA certificate" ;;
  esac
  case "$subject$nl" in
    *"$nl    O=$organization$nl"*) ;;
    *)
      names=$(printf '%s\n' "$subject" | sed '1d; s/^ *//' | tr '\n' ' ')
      fail "certificate $n is not issued to '$organization' but to: ${names% }"
      ;;
  esac
done
printf 'verify-ca-bundle: %s CA certificates of %s\n' "$certs" "$organization"
