#!/usr/bin/env bash
# Builds services/smb-mount's libsmbclient addon (build/Release/smbclient.node, gitignored) with
# node-gyp against this machine's Node headers, when it is missing or when binding.gyp, native/ or
# node-addon-api changed: the sources' hash, recorded next to the addon, tells. A second run
# returns at once.
# Usage: hack/build-smb-addon.sh [--force]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVICE="$REPO_ROOT/services/smb-mount"
ADDON="$SERVICE/build/Release/smbclient.node"
HASH_FILE="$SERVICE/build/sources.sha256"
NODE_GYP="$REPO_ROOT/node_modules/.bin/node-gyp"

[[ -f /usr/include/samba-4.0/libsmbclient.h ]] ||
  die "libsmbclient-dev is not installed: run hack/install-debian-deps.sh smb-dev"
for tool in pkg-config python3 g++ make; do
  command -v "$tool" >/dev/null || die "$tool is not installed: run hack/install-debian-deps.sh smb-dev"
done
[[ -x $NODE_GYP && -f $REPO_ROOT/node_modules/node-addon-api/package.json ]] ||
  die "node-gyp or node-addon-api is missing: run npm ci"
# The headers of the Node that runs the addon; no download (node-gyp's default) is possible here.
NODE_DIR=$(node -p "require('path').resolve(process.execPath, '../..')")
[[ -f $NODE_DIR/include/node/node_api.h ]] ||
  die "Node's headers are not in $NODE_DIR/include/node: install Node with its headers (Debian: nodejs ships them)"

sources=$(
  cat "$SERVICE/binding.gyp" "$SERVICE"/native/*
  node -p "require('$REPO_ROOT/node_modules/node-addon-api/package.json').version + ' napi ' + process.versions.napi"
  pkg-config --modversion smbclient
)
sources=$(sha256sum <<<"$sources" | cut -d' ' -f1)
if [[ ${1:-} != --force && -f $ADDON && $(cat "$HASH_FILE" 2>/dev/null) == "$sources" ]]; then
  log "smb-mount addon: built"
  exit 0
fi
log "building the smb-mount libsmbclient addon"
started=$SECONDS
(cd "$SERVICE" && "$NODE_GYP" rebuild --nodedir="$NODE_DIR" --loglevel=warn)
echo "$sources" >"$HASH_FILE"
log "smb-mount addon built in $((SECONDS - started)) s"
