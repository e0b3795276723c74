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
run_gtest "tc engine on veths" '-Netdevsim*'

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
run_gtest "tc engine on patched netdevsim ($rep)" 'Netdevsim.*' SNOC_NSIM_REP="$rep" SNOC_NSIM_FLOWER=1 \
  SNOC_NSIM_DEBUGFS=/sys/kernel/debug/netdevsim/netdevsim20
vm_netdevsim_delete 20

# 4. NIC bring-up on a netdevsim device: VF counts, eswitch mode, representors,
#    hw-tc-offload, link up, IRQ affinity note, VF MAC — first with the stock
#    module (no port function hw_addr, no inline / encap mode: IFLA_VF_MAC
#    fallback and notes), then with the test patch's devlink_port_fn=1 (both
#    set through devlink for real).
vm_netdevsim_load
run_gtest "NIC bring-up on stock netdevsim" 'NetdevsimNic.*' SNOC_NSIM_NIC=1
vm_netdevsim_load devlink_port_fn=1
run_gtest "NIC bring-up on netdevsim with devlink port functions" 'NetdevsimNic.*' SNOC_NSIM_NIC=1 SNOC_NSIM_PORTFN=1

# 5. snoc apply on a netdevsim NIC from a spec: dry run, apply, second apply changes nothing.
echo "40 1" > /sys/bus/netdevsim/new_device
vm_wait_for 5 test -d /sys/bus/netdevsim/devices/netdevsim40/net
pf=$(ls /sys/bus/netdevsim/devices/netdevsim40/net | head -n1)
spec=$(mktemp --suffix=.yaml)
cat >"$spec" <<YAML
nics:
  - {name: nsim, pf: $pf, profile: netdevsim, eswitch_mode: switchdev, num_vfs: 2, representor_prefix: sim}
workloads:
  - {name: sidecar, attach: veth, ip: 10.66.0.2/24, gateway: 10.66.0.1, mtu: 1400}
YAML
snoc="$build/controller/snoc"
vm_check_output "snoc apply --dry-run lists the steps" 'would: eswitch mode is switchdev' "$snoc" apply --dry-run "$spec"
vm_check_output "dry run changed nothing" 'mode legacy' devlink dev eswitch show netdevsim/netdevsim40
vm_check_output "snoc apply brings the NIC up" 'done:  the representor of VF 1 is named simvf1' "$snoc" apply "$spec"
vm_check_output "representor renamed" 'simvf1' ip -br link show simvf1
vm_check_output "veth workload attached with its address" '10.66.0.2/24' ip -n sidecar addr show eth0
vm_check_output "second apply changes nothing" 'workload sidecar \(namespace sidecar\)\s+nothing to change' \
  sh -c "\"$snoc\" apply \"$spec\" | tr '\\n' ' '"
vm_check_output "second apply changes nothing on the NIC" 'NIC nsim \(eth[0-9]+\)\s+nothing to change' \
  sh -c "\"$snoc\" apply \"$spec\" | tr '\\n' ' '"
vm_check_output "apply -o json reports steps" '"ok": true' "$snoc" apply -o json "$spec"
vm_check_output "hw-tc-offload on for a representor" 'hw-tc-offload: on' ethtool -k simvf1
vm_check_output "representor up" '[<,]UP[,>]' ip link show simvf1
vm_check_output "eswitch inline / encap mode from the profile" 'inline-mode transport.*encap-mode basic' \
  devlink dev eswitch show netdevsim/netdevsim40
echo 40 > /sys/bus/netdevsim/del_device
ip netns del sidecar

vm_summary
