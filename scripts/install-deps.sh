#!/usr/bin/env bash
# Installs everything snoc needs to build and test on Debian 12, idempotently.
# Usage: scripts/install-deps.sh
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
  libdpdk-dev dpdk-dev               # the rte_flow backend's DPDK calls; dpdk-testpmd checks its rendering
  # Programs the demo, the tests and the scripts run. A fresh Debian 12
  # (debootstrap minbase) has none of them; scripts/fresh-check.sh proves
  # this list is complete.
  iproute2                           # ip, tc, ss: every namespace, veth and tc step
  iputils-ping                       # the demo's and the end-to-end tests' pings
  iperf3                             # the demo's throughput figures
  ethtool                            # offload settings of veths and VFs
  curl                               # /metrics and /status from the scripts
  jq                                 # scripts read snoc's JSON with it
  python3                            # the demo's summary, test helpers
  procps                             # pgrep / ps in the scripts
  kmod                               # modprobe in the VM tier (the guest runs the host's root)
  file                               # the arm64 build checks each binary's architecture
)

. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
mapfile -t missing < <(apt_missing "${packages[@]}")
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
apt_update_if_stale
apt_install install-deps "${missing[@]}"
