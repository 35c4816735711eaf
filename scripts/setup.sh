#!/usr/bin/env bash
# Prepares a fresh Debian machine (as root) to build Berth and run its tests:
# Debian packages for the test fixtures and the local registry, then npm ci
# (which builds the native helper and addon with node-gyp, and the TypeScript).
#   bash scripts/setup.sh           # what the quickstart and the tests need
#   bash scripts/setup.sh --bench   # also the peers the benchmarks compare against
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  busybox-static   # the quickstart's and the fixtures' busybox
  debootstrap      # the multi-layer Debian fixture image
  docker-registry  # the real registry the tests pull from (CNCF distribution)
  apache2-utils    # htpasswd, for registry auth tests
  iptables nftables iproute2 zstd
  openssl          # certificates for the token-auth and TLS wait tests
  skopeo           # archives written by a third party, for the load tests
  docker.io        # the real dockerd the DockerEngine tests run against
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(crun runc podman curl)  # curl: the network bench downloads with it
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
