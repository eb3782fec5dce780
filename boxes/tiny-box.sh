#!/usr/bin/env bash
# The tiny test box, built once per version of its recipe and cached: prints its directory
# (vmlinuz, initrd.img, tiny.box), building it first if needed. Used by `npm run test:vm` and bench/.
# Usage (root): boxes/tiny-box.sh [CACHE_ROOT (default /var/tmp)]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(sha256sum "$here/build-tiny-box.sh" | cut -c1-10)
box=${1:-/var/tmp}/stacklab-tiny-box-$version
if [ ! -s "$box/tiny.box" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  WORK=$work/build bash "$here/build-tiny-box.sh" "$box.tmp" >&2
  rm -rf "$box"; mv "$box.tmp" "$box"
fi
echo "$box"
