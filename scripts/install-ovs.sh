#!/usr/bin/env bash
# Installs Open vSwitch (Debian's openvswitch-switch) for the OVS integration
# tests, idempotently, WITHOUT starting or enabling the system daemons: the
# tests run their own ovsdb-server / ovs-vswitchd with private sockets inside
# a private network namespace, and a system instance would only compete for
# the datapath and confuse anyone reading `ovs-vsctl show`.
# Usage: scripts/install-ovs.sh
set -euo pipefail

# openvswitch-switch-dpdk: ovs-vswitchd-dpdk, run only by the VM tier's
# OVS-DPDK cross-check (tests/vm/ovs-dpdk.sh) by its full path; the
# ovs-vswitchd alternative stays the plain build (see the end).
packages=(openvswitch-switch openvswitch-common openvswitch-switch-dpdk ethtool iproute2 curl python3)

. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
mapfile -t missing < <(apt_missing "${packages[@]}")
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-ovs: all ${#packages[@]} packages present"
  missing=()
fi

# Maintainer scripts start services through invoke-rc.d, which asks
# /usr/sbin/policy-rc.d first; exit 101 = "action forbidden". Install our own
# only when none exists, and remove it afterwards (even on failure), so a
# machine's own policy is never replaced.
policy=/usr/sbin/policy-rc.d
placed_policy=0
cleanup() {
  if [ "$placed_policy" -eq 1 ]; then
    $SUDO rm -f "$policy"
  fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# install-ovs.sh: keep openvswitch-switch from starting during install\nexit 101\n' \
    | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  placed_policy=1
fi

if [ "${#missing[@]}" -gt 0 ]; then
  apt_update_if_stale
  apt_install install-ovs "${missing[@]}"
fi

# openvswitch-switch-dpdk registers ovs-vswitchd-dpdk as an alternative for
# /usr/sbin/ovs-vswitchd (at a lower priority). Pin the plain build: the
# tests and an operator's `ovs-vswitchd` must not become the DPDK one.
plain=/usr/lib/openvswitch-switch/ovs-vswitchd
if [ -x "$plain" ] && command -v update-alternatives >/dev/null 2>&1 &&
  [ "$(readlink -f /usr/sbin/ovs-vswitchd 2>/dev/null)" != "$plain" ]; then
  $SUDO update-alternatives --set ovs-vswitchd "$plain" >/dev/null
fi

# Where systemd runs, keep the units from starting at the next boot too.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  $SUDO systemctl disable --now openvswitch-switch.service ovs-vswitchd.service ovsdb-server.service \
    >/dev/null 2>&1 || true
fi

# Report (never kill) a system instance that started anyway: the tests use
# private sockets, so they still work, but the operator should know.
if pgrep -x ovs-vswitchd >/dev/null 2>&1 || pgrep -x ovsdb-server >/dev/null 2>&1; then
  echo "install-ovs: note: a system ovsdb-server/ovs-vswitchd is running; tests use private sockets and namespaces" >&2
fi
echo "install-ovs: done"
