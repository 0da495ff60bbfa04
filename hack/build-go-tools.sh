#!/usr/bin/env bash
# Builds the Go test-bed servers and tools from the Go module proxy into the cache, once per
# version: kube-apiserver, kube-controller-manager, kubectl and etcd (one wrapper module), Traefik
# and compose-config (compose-go's loader, for the Compose renderer's tests), and downloads the
# modules whose CRD files the tests install. A second run finds them and returns at once.
# Usage: hack/build-go-tools.sh [kubernetes|traefik|compose|crds]...
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v go >/dev/null || die "Go is not installed: install Go ≥ 1.26 (https://go.dev/doc/install)"

build_kubernetes() {
  local version=$KUBERNETES_VERSION minor
  minor=$(echo "$version" | cut -d. -f2)
  local missing=0
  for name in kube-apiserver kube-controller-manager kubectl; do
    [[ -x "$BIN_CACHE/$name-$version" ]] || missing=1
  done
  [[ -x "$BIN_CACHE/etcd-$ETCD_VERSION" ]] || missing=1
  if [[ $missing == 0 ]]; then log "kubernetes $version and etcd $ETCD_VERSION: cached"; return; fi
  log "building kube-apiserver, kube-controller-manager, kubectl $version and etcd $ETCD_VERSION"
  local started=$SECONDS out
  out=$(mktemp -d "$BIN_CACHE/.build-XXXXXX")
  local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$version"
  (cd "$HACK_DIR/go/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl go.etcd.io/etcd/server/v3)
  for name in kube-apiserver kube-controller-manager kubectl; do mv "$out/$name" "$BIN_CACHE/$name-$version"; done
  # Go names the binary of a /vN module after the element before the version: "server".
  mv "$out/server" "$BIN_CACHE/etcd-$ETCD_VERSION"
  rmdir "$out"
  log "kubernetes built in $((SECONDS - started)) s"
}

build_traefik() {
  local target="$BIN_CACHE/traefik-$TRAEFIK_VERSION"
  if [[ -x $target ]]; then log "traefik $TRAEFIK_VERSION: cached"; return; fi
  log "building traefik $TRAEFIK_VERSION"
  local started=$SECONDS
  (cd "$HACK_DIR/go/traefik" && go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$target.tmp" github.com/traefik/traefik/v3/cmd/traefik)
  mv "$target.tmp" "$target"
  log "traefik built in $((SECONDS - started)) s"
}

build_compose() {
  local target="$BIN_CACHE/compose-config-$COMPOSE_GO_VERSION" sources
  # main.go is ours and can change without a version bump: the sources' hash, recorded next to
  # the binary, tells whether the cached one is still theirs.
  sources=$(cat "$HACK_DIR/go/compose/go.mod" "$HACK_DIR/go/compose/go.sum" "$HACK_DIR/go/compose/main.go" | sha256sum | cut -d' ' -f1)
  if [[ -x $target && $(cat "$target.sources" 2>/dev/null) == "$sources" ]]; then
    log "compose-config $COMPOSE_GO_VERSION: cached"
    return
  fi
  # The binary's name carries COMPOSE_GO_VERSION, so the wrapper must require exactly that.
  grep -q "github.com/compose-spec/compose-go/v2 $COMPOSE_GO_VERSION\$" "$HACK_DIR/go/compose/go.mod" ||
    die "hack/go/compose/go.mod does not require compose-go $COMPOSE_GO_VERSION: run go get github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION && go mod tidy there"
  log "building compose-config (compose-go $COMPOSE_GO_VERSION)"
  local started=$SECONDS
  # The main package sits in this repository: without -buildvcs=false Go would stamp it with
  # (and need) this checkout's git state.
  (cd "$HACK_DIR/go/compose" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$target.tmp" .)
  mv "$target.tmp" "$target"
  echo "$sources" >"$target.sources"
  log "compose-config built in $((SECONDS - started)) s"
}

# The render tests install Traefik's and Gateway API's CRDs from these modules' files.
download_crd_modules() {
  (cd "$HACK_DIR/go/traefik" && go mod download "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")
  # Not a dependency of any of our modules: downloaded by path@version, checked by the Go
  # checksum database like every module.
  (cd "$HACK_DIR/go/traefik" && GOFLAGS=-mod=mod go mod download "github.com/rook/rook@$ROOK_VERSION")
  log "traefik, gateway-api and rook modules (CRDs): present"
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(kubernetes traefik compose crds)
for target in "${targets[@]}"; do
  case $target in
    kubernetes) build_kubernetes ;;
    traefik) build_traefik ;;
    compose) build_compose ;;
    crds) download_crd_modules ;;
    *) die "unknown target $target (kubernetes, traefik, compose, crds)" ;;
  esac
done
