#!/usr/bin/env bash
# Installs the Debian packages the test bed runs, when missing: Ceph (mon, osd, radosgw, CLI) for
# RGW, Samba and smbclient, nginx, Chromium, and mkcert (with NSS's certutil, which mkcert needs
# to put its CA into Firefox's and Chromium's stores) for `make certs`, and what node-gyp needs to
# build services/smb-mount's libsmbclient addon (smb-dev). Services the packages would start are
# kept from starting: the test bed runs its own instances on loopback.
# Usage: hack/install-debian-deps.sh [ceph|samba|nginx|chromium|mkcert|redis|smb-dev]...
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

declare -A PACKAGES=(
  [ceph]="ceph-mon ceph-osd radosgw ceph-common"
  [samba]="samba smbclient"
  [nginx]="nginx"
  [chromium]="chromium"
  [mkcert]="mkcert libnss3-tools"
  [redis]="redis-server"
  [smb-dev]="libsmbclient-dev pkg-config python3 g++ make"
)
declare -A PROBES=(
  [ceph]="ceph-mon ceph-osd radosgw ceph radosgw-admin monmaptool ceph-authtool"
  [samba]="smbd smbclient smbpasswd"
  [nginx]="nginx"
  [chromium]="chromium"
  [mkcert]="mkcert certutil"
  [redis]="redis-server"
  # A path is a file to look for (here a header), anything else a command.
  [smb-dev]="/usr/include/samba-4.0/libsmbclient.h pkg-config python3 g++ make"
)

export PATH="$PATH:/usr/sbin:/sbin"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(ceph samba nginx chromium mkcert redis smb-dev)

wanted=()
for target in "${targets[@]}"; do
  [[ -n ${PACKAGES[$target]:-} ]] || die "unknown target $target (ceph, samba, nginx, chromium, mkcert, redis, smb-dev)"
  for probe in ${PROBES[$target]}; do
    if [[ $probe == /* ]]; then [[ -e $probe ]] && continue; else command -v "$probe" >/dev/null && continue; fi
    wanted+=(${PACKAGES[$target]})
    break
  done
done
if [[ ${#wanted[@]} == 0 ]]; then log "debian packages: all present (${targets[*]})"; exit 0; fi

if [[ $(id -u) != 0 ]]; then
  die "missing packages; install them as root: apt-get update && apt-get install -y --no-install-recommends ${wanted[*]}"
fi
log "installing ${wanted[*]}"
started=$SECONDS
# policy-rc.d answering 101 stops maintainer scripts from starting nginx, smbd and the like.
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
trap '[[ $created_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
log "debian packages installed in $((SECONDS - started)) s"
