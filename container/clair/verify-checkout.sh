#!/bin/sh
# verify-checkout.sh <git-dir> <commit>: fails unless the checkout's HEAD is <commit>, given as its
# full 40 hex digits (a prefix pins less than the whole id). The Dockerfile clones Clair by tag, and
# a tag can be moved; the commit id is what pins the source.
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: verify-checkout.sh <git-dir> <commit>" >&2
  exit 64
fi
expected=$2
case $expected in
  *[!0123456789abcdef]*) length=0 ;;
  *) length=${#expected} ;;
esac
if [ "$length" -ne 40 ]; then
  echo "verify-checkout: the expected commit must be a full id of 40 lowercase hex digits, got '$expected'" >&2
  exit 1
fi
head=$(git -C "$1" rev-parse --verify 'HEAD^{commit}')
case $head in
  "$expected") echo "verify-checkout: HEAD is $head as pinned" ;;
  *)
    echo "verify-checkout: HEAD is $head, but $expected is pinned; refusing to build other source" >&2
    exit 1
    ;;
esac
