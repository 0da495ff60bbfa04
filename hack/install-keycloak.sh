#!/usr/bin/env bash
# Installs Keycloak into the cache, once per version, and runs its build step there.
#
# The distribution comes from Maven Central (org.keycloak:keycloak-quarkus-dist), the one
# reachable registry that publishes it, pinned by version and the sha1 Maven publishes next to it.
# Keycloak 26 needs Java >= 21 and Debian bookworm's default is 17, so a newer JDK is picked
# (JAVA_HOME, else /usr/lib/jvm/*) and recorded in java-home for operator/src/testbed/keycloak.ts.
# `kc.sh build` bakes the build-time options once so each test start is `start --optimized`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target="$CACHE_DIR/keycloak-$KEYCLOAK_VERSION"
if [[ -f $target/java-home && -x $(<"$target/java-home")/bin/java ]]; then
  log "keycloak $KEYCLOAK_VERSION: cached"
  exit 0
fi
# A partial install, or one whose JDK has gone since: done again.
rm -rf "$target"
command -v curl >/dev/null || die "curl is needed to install Keycloak: apt-get install -y curl"

java_major() { "$1/bin/java" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p'; }
# JAVA_HOME when new enough, else the newest in /usr/lib/jvm: JDK 25 and later get the AOT cache.
java_home= java_version=0
for candidate in ${JAVA_HOME:-} /usr/lib/jvm/*; do
  [[ -x $candidate/bin/java ]] || continue
  major=$(java_major "$candidate")
  ((${major:-0} >= 21 && ${major:-0} > java_version)) || continue
  java_home=$(readlink -f "$candidate") java_version=$major
  [[ $candidate != "${JAVA_HOME:-}" ]] || break
done
[[ -n $java_home ]] ||
  die "Keycloak $KEYCLOAK_VERSION needs a JDK >= 21 and Debian bookworm has only 17: unpack Eclipse Temurin 25 into /usr/lib/jvm/temurin-25-jdk-amd64, or set JAVA_HOME to a JDK >= 21"

log "installing keycloak $KEYCLOAK_VERSION (Maven Central) with $java_home"
# Under CACHE_DIR so the final mv is a rename on one file system.
work=$(mktemp -d "$CACHE_DIR/keycloak-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
artifact="keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
curl --fail --silent --show-error --location --retry 3 --output "$work/$artifact" \
  "https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/$artifact"
echo "$KEYCLOAK_DIST_SHA1  $work/$artifact" | sha1sum --check --quiet ||
  die "checksum mismatch for $artifact"
tar --no-same-owner -xzf "$work/$artifact" -C "$work"
rm "$work/$artifact"
home="$work/keycloak-$KEYCLOAK_VERSION"
# dev-mem: every test server starts with an empty database and leaves nothing behind.
JAVA_HOME=$java_home "$home/bin/kc.sh" build --db=dev-mem --health-enabled=true \
  >"$work/build.log" 2>&1 || die "kc.sh build failed: $(tail -20 "$work/build.log")"
mv "$home" "$target"
if ((java_version >= 25)); then
  # A JDK 25 AOT cache of the classes a start loads: a start takes 7.5 s instead of 11 s here.
  # It names the jars by path, so it is trained here, in place: `kc.sh export` boots the server,
  # creates the schema and master realm, and exits.
  log "training keycloak's AOT cache"
  JAVA_HOME=$java_home JAVA_OPTS_APPEND="-XX:AOTCacheOutput=$target/lib/keycloak.aot \
-Dquarkus.transaction-manager.object-store.directory=$work/transaction-logs" \
    "$target/bin/kc.sh" export --optimized --cache=local --dir "$work/export" --realm master \
    >"$work/train.log" 2>&1 ||
    die "training keycloak's AOT cache failed: $(tail -20 "$work/train.log")"
fi
# Written last: its presence marks a complete install.
echo "$java_home" >"$target/java-home"
log "keycloak installed"
