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

fail() {
  echo "verify-ca-bundle: $bundle $1" >&2
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

n=0
for cert in "$split"/*.pem; do
  n=$((n + 1))
  # One "KEY=value" line per name component, after a "subject=" line.
  subject=$(openssl x509 -in "$cert" -noout -subject -nameopt sep_multiline,sname,utf8 2>/dev/null) ||
    fail "certificate $n does not parse"
  subject=$(printf '%s\n' "$subject" | sed '1d; s/^ *//')
  if ! openssl x509 -in "$cert" -noout -ext basicConstraints | grep -q 'CA:TRUE'; then
    fail "certificate $n is not a CA certificate"
  fi
  if ! printf '%s\n' "$subject" | grep -Fqx "O=$organization"; then
    fail "certificate $n is not issued to '$organization' but to: $(printf '%s' "$subject" | tr '\n' ' ')"
  fi
done
echo "verify-ca-bundle: $certs CA certificates of $organization"
