#!/usr/bin/env bash
# Installs everything snoc needs to build and test on Debian 12, idempotently.
# Usage: scripts/install-deps.sh [--runtime-only]
# It never removes packages (--no-remove): some Debian :arm64 -dev packages
# conflict with their amd64 twins and apt would otherwise silently drop them.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkgconf git
  clang libclang-rt-14-dev          # libFuzzer and sanitizer runtimes
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev
  libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# One update per machine is enough; refresh only when the lists are missing or stale (> 1 day).
stamp=/var/lib/apt/periodic/update-success-stamp
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)
if [ -z "$lists" ] && { [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; }; then
  $SUDO apt-get update -q
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get install -y -q --no-remove --no-install-recommends "${missing[@]}"
