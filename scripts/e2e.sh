#!/usr/bin/env bash
# The end-to-end scenario in one command: a virtual edge server
# (configs/virtual-edge.yaml) in the VM tier — a netdevsim SmartNIC with the
# test-only flower offload patch, OVS on the kernel datapath with hw-offload,
# four containers — applied and run by snoc, with real traffic and injected
# hardware counters, checked and summarised (tests/vm/e2e-edge.sh):
#   placements (hardware / tc software / OVS) with the reasons, per-rule
#   counters, the offload hit rate from /metrics, drift repair, SIGTERM
#   leaving the data plane, restart adoption.
# On a fresh Debian 12 machine (root, or a user with sudo) it installs what it
# needs: the build dependencies, Open vSwitch (its system daemons are not
# started), the VM tier (qemu, the Debian kernel, the patched netdevsim;
# tests/vm/setup.sh) and curl, jq, iperf3 for the scenario's checks and
# traffic.
# Usage: scripts/e2e.sh [BUILD_DIR]   (default: build; reused when present)
# Exit status: 0 when every check passed; the failing checks are listed
# above the summary otherwise. ~2-3 min warm on 2 cores (the VM runs under TCG).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

bash scripts/install-deps.sh
bash scripts/install-ovs.sh
. scripts/lib/apt.sh
mapfile -t missing < <(apt_missing curl jq iperf3)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_update_if_stale
  apt_install e2e "${missing[@]}"
fi

# The guest runs the host's binaries (the host root is its root): build here.
# An existing build directory keeps its configuration; only snoc is needed.
if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target snoc -j "$(nproc 2>/dev/null || echo 2)"

bash tests/vm/setup.sh
# 2 GiB: OVS, the daemon, iperf3 and four namespaces; the timeout covers a
# loaded machine (TCG makes each process start cost 0.1-0.3 s).
exec bash tests/vm/run.sh --mem 2048 --timeout 1200 tests/vm/e2e-edge.sh "$build"
