# Shared by the hack/ scripts: where caches live, logging, and failing with the fix.
# shellcheck shell=bash
set -euo pipefail

HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HACK_DIR/.." && pwd)
# shellcheck source=versions.env
source "$HACK_DIR/versions.env"

CACHE_DIR=${LASUITE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lasuite-operator}
BIN_CACHE="$CACHE_DIR/bin"
mkdir -p "$BIN_CACHE"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The Go proxy here has no checksum database entries for recent k8s.io releases; the committed
# go.sum files pin every module hash instead.
export GOSUMDB=off
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
