#!/usr/bin/env bash
# Writes the dev certificate a rendered Compose project's edge serves: certs/tls.crt and
# certs/tls.key in the project directory, for exactly the public hosts listed in its
# compose/hosts, issued by mkcert's local CA. The rendered compose.yaml mounts both files, so
# nothing has to be copied.
#
# Usage: hack/certs.sh [PROJECT_DIR]      (default: the repository root, where `make compose-dev`
#                                          renders examples/compose/dev)
# Environment:
#   MKCERT_INSTALL=no  do not run `mkcert -install`, which puts the CA into the system and NSS
#                      (Firefox, Chromium) trust stores; tests set it, with CAROOT, so that they
#                      never touch the machine's stores.
#   CAROOT             mkcert's CA directory (mkcert's own default otherwise).
#
# An existing pair is kept when it still names exactly the hosts of compose/hosts, its key
# matches, it was issued by the current CA and it is valid for 30 more days: mkcert itself would
# issue a new one on every run, and a running edge would keep serving the old one until reloaded.
#
# tls.key is written with mode 0600, as .env is. The edge reads it as root: the nginx image's
# master process and Traefik both run as root, and the edge service keeps Docker's default
# capabilities (CAP_DAC_OVERRIDE among them); rootless Docker and Podman map the container's
# root to the file's owner. Only a daemon with userns-remap would need the key readable by others.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -le 1 ]] || die "usage: hack/certs.sh [PROJECT_DIR]"
project=${1:-$REPO_ROOT}
install=${MKCERT_INSTALL:-yes}
[[ $install == yes || $install == no ]] || die "MKCERT_INSTALL is yes or no, not '$install'"

hosts_file="$project/compose/hosts"
[[ -f $hosts_file ]] ||
  die "$hosts_file is missing: render the project first: make compose-dev (or lasuitectl compose RESOURCES -o $project)"
hosts=()
while IFS= read -r line || [[ -n $line ]]; do
  line=${line//[[:space:]]/}
  [[ -n $line ]] || continue
  # mkcert would read a leading '-' as a flag; anything else odd is not a host name either.
  [[ $line =~ ^[A-Za-z0-9*][A-Za-z0-9.*-]*$ ]] || die "$hosts_file: '$line' is not a host name"
  hosts+=("$line")
done <"$hosts_file"
[[ ${#hosts[@]} -gt 0 ]] || die "$hosts_file names no host: render the project again"

command -v mkcert >/dev/null ||
  die "mkcert is not installed: run hack/install-debian-deps.sh mkcert (as root; on macOS: brew install mkcert nss)"
command -v node >/dev/null || die "node is not on PATH (the project needs Node >= 20)"

if [[ $install == yes ]]; then
  # Idempotent; creates the CA on first use. It needs root (or sudo) for the system store.
  mkcert -install ||
    die "mkcert -install failed; run it as a user that may sudo, or MKCERT_INSTALL=no to skip trusting the CA"
fi
ca="$(mkcert -CAROOT)/rootCA.pem"

certs="$project/certs"
crt="$certs/tls.crt"
key="$certs/tls.key"

# Prints why the pair must be issued again, or nothing (and succeeds) when it can stay.
stale_reason() {
  [[ -f $crt && -f $key ]] || { echo "no certificate yet"; return 0; }
  [[ -f $ca ]] || { echo "no CA in $(dirname "$ca") yet"; return 0; }
  node --input-type=module - "$crt" "$key" "$ca" "${hosts[@]}" <<'EOF'
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
const [crtPath, keyPath, caPath, ...hosts] = process.argv.slice(2);
try {
  const cert = new X509Certificate(readFileSync(crtPath));
  const ca = new X509Certificate(readFileSync(caPath));
  const names = (cert.subjectAltName ?? '').split(', ').filter(Boolean).sort();
  const wanted = hosts.map((host) => (isIP(host) ? `IP Address:${host}` : `DNS:${host}`)).sort();
  if (names.join(' ') !== wanted.join(' '))
    console.log(`it names ${names.join(' ') || 'nothing'}; compose/hosts names ${wanted.join(' ')}`);
  else if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyPath))))
    console.log('its key does not match it');
  else if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    console.log(`it was not issued by the CA in ${caPath}`);
  else if (Date.parse(cert.validTo) < Date.now() + 30 * 24 * 3600 * 1000)
    console.log(`it expires on ${cert.validTo}`);
} catch (error) {
  console.log(`it cannot be read: ${error.message}`);
}
EOF
}

reason=$(stale_reason)
if [[ -z $reason ]]; then
  log "$crt already covers ${hosts[*]}; kept"
else
  log "issuing $crt for ${hosts[*]} ($reason)"
  mkdir -p "$certs"
  # Issued beside the targets and renamed over them, so the pair is never half replaced.
  trap 'rm -f "$crt.tmp" "$key.tmp"' EXIT
  # mkcert's own report names the temporary files; it is only worth showing when it fails.
  [[ -f $ca ]] || log "mkcert creates a new CA in $(dirname "$ca")"
  if ! output=$(mkcert -cert-file "$crt.tmp" -key-file "$key.tmp" "${hosts[@]}" 2>&1); then
    printf '%s\n' "$output" >&2
    die "mkcert could not issue the certificate"
  fi
  chmod 0644 "$crt.tmp"
  chmod 0600 "$key.tmp"
  mv -f "$key.tmp" "$key"
  mv -f "$crt.tmp" "$crt"
fi

[[ $install == yes ]] ||
  log "MKCERT_INSTALL=no: unless the CA in $(dirname "$ca") is already trusted, browsers warn"
printf '%s\n' \
  "certificate: $crt" \
  "key:         $key (mode 0600, read by the edge as root)" \
  "a browser on this machine reaches the project with this line in /etc/hosts:" \
  "127.0.0.1 ${hosts[*]}"
