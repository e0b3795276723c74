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
  llvm libbpf-dev bpftool            # the emulated eBPF eSwitch (clang -target bpf, libbpf, inspection)
  jq                                 # tests/vm/e2e-edge.sh reads snoc's JSON with it
  libdpdk-dev dpdk-dev               # the rte_flow backend's DPDK calls; dpdk-testpmd checks its rendering
)

. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
mapfile -t missing < <(apt_missing "${packages[@]}")
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
apt_update_if_stale
apt_install install-deps "${missing[@]}"
