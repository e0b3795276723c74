#!/usr/bin/env bash
# Guest script: snoc's kernel tests (tests/kernel, built as snoc_kernel_tests)
# on the VM's real kernel — on veths, then on netdevsim representors with the
# stock module and with the test-only flower offload patch.
#   tests/vm/run.sh tests/vm/kernel-suite.sh [BUILD_DIR]   (default: build)
set -uo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
bin="$build/tests/snoc_kernel_tests"
[ -x "$bin" ] || { echo "kernel-suite: $bin not built (cmake --build $build)"; exit 1; }

run_gtest() { # NAME FILTER [ENV=VALUE...]
  local name=$1 filter=$2
  shift 2
  vm_check "$name" env "$@" "$bin" --gtest_filter="$filter" --gtest_brief=1
}

# 1. veths in private namespaces: translation table, traffic, batching, sync, probe.
run_gtest "tc engine on veths" '-Netdevsim.*'

# 2. stock netdevsim: skip_hw stays in software, skip_sw refused with the driver's reason.
vm_netdevsim_load
vm_netdevsim_create 10 2 >/dev/null
rep=$(vm_netdev_by_port_name 10 pf0vf0)
ip link set "$rep" up
run_gtest "tc engine on stock netdevsim ($rep)" 'Netdevsim.*' SNOC_NSIM_REP="$rep"
vm_netdevsim_delete 10

# 3. patched netdevsim (flower_offload=1): skip_sw rules land in the simulated hardware.
vm_netdevsim_load flower_offload=1
vm_netdevsim_create 20 2 >/dev/null
rep=$(vm_netdev_by_port_name 20 pf0vf0)
ip link set "$rep" up
run_gtest "tc engine on patched netdevsim ($rep)" 'Netdevsim.*' SNOC_NSIM_REP="$rep" SNOC_NSIM_FLOWER=1
vm_netdevsim_delete 20

vm_summary
