#!/usr/bin/env bash
# Smoke test of the VM tier, run inside the guest:
#   tests/vm/run.sh tests/vm/smoke.sh
# Proves that the pieces kernel-facing tests rely on work there: the stock
# kernel's tc modules, a software flower filter counting real traffic, netdevsim
# in switchdev mode with VF representors found by phys_port_name, the stock
# driver refusing skip_sw flower, and the patched driver (flower_offload=1)
# taking skip_sw rules in_hw with hardware statistics, a full table and
# hw-tc-offload handling. Ends with "N passed, N failed".
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "${SNOC_VM_LIB:-$(dirname "$0")/lib.sh}"

if [ "${SNOC_IN_VM:-}" != 1 ]; then
  echo "smoke.sh runs inside the VM: tests/vm/run.sh tests/vm/smoke.sh" >&2
  exit 2
fi

echo "# guest kernel $(uname -r)"
vm_check "guest runs the Debian kernel of the tier ($SNOC_VM_KVER)" test "$(uname -r)" = "$SNOC_VM_KVER"
vm_check "guest module tree visible at /lib/modules/$SNOC_VM_KVER" test -f "/lib/modules/$SNOC_VM_KVER/modules.dep"

# ---- 1. modules a kernel-facing test needs
mods=(sch_ingress cls_flower act_gact act_mirred act_vlan act_tunnel_key act_pedit act_csum
  act_police vxlan openvswitch veth)
vm_check "modprobe ${mods[*]}" modprobe -a "${mods[@]}"
loaded() {
  local m
  for m in "$@"; do [ -d "/sys/module/$m" ] || { echo "$m not loaded"; return 1; }; done
}
vm_check "all of them loaded" loaded "${mods[@]}"

# ---- 2. software flower on a veth, with real traffic from a netns
ip netns add smoke1
ip link add sv0 type veth peer name sv1 netns smoke1
ip addr add 192.0.2.1/24 dev sv0
ip link set sv0 up
ip -n smoke1 addr add 192.0.2.2/24 dev sv1
ip -n smoke1 link set sv1 up
ip -n smoke1 link set lo up
vm_check "ingress qdisc on a veth" tc qdisc add dev sv0 ingress
vm_check "software flower filter (skip_hw) added" \
  tc filter add dev sv0 ingress protocol ip prio 1 flower skip_hw ip_proto icmp src_ip 192.0.2.2 action pass
vm_check "ping across the veth pair" ip netns exec smoke1 ping -c 3 -i 0.2 -W 2 192.0.2.1
flower_pkts() { # DEV: packets counted by its first ingress filter's action
  tc -s filter show dev "$1" ingress | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n1
}
pkts=$(flower_pkts sv0)
vm_check "flower counted the pings (tc -s: ${pkts:-none} packets)" test "${pkts:-0}" -ge 3
vm_check_output "the filter is not_in_hw" 'not_in_hw' tc filter show dev sv0 ingress
ip netns del smoke1
ip link del sv0 2>/dev/null

# ---- 3. stock netdevsim: switchdev, representors, skip_sw flower refused
vm_check "netdevsim loaded (stock behaviour, flower_offload=0)" vm_netdevsim_load
vm_check_output "device 10 in switchdev mode with 2 VFs (sriov_numvfs first)" 'pf0vf1' \
  vm_netdevsim_create 10 2
printf '%s\n' "$VM_LAST_OUTPUT" | sed 's/^/    /'
uplink=$(vm_netdev_by_port_name 10 p1)
vf0=$(vm_netdev_by_port_name 10 pf0vf0)
vf1=$(vm_netdev_by_port_name 10 pf0vf1)
vm_check "representors found by phys_port_name (p1=$uplink pf0vf0=$vf0 pf0vf1=$vf1)" \
  test -n "$uplink" -a -n "$vf0" -a -n "$vf1"
same_switch() {
  local a b c
  a=$(cat "/sys/class/net/$uplink/phys_switch_id") b=$(cat "/sys/class/net/$vf0/phys_switch_id")
  c=$(cat "/sys/class/net/$vf1/phys_switch_id")
  [ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]
}
vm_check "one phys_switch_id for the uplink and both representors" same_switch
vm_check_output "devlink reports switchdev mode" 'mode switchdev' devlink dev eswitch show netdevsim/netdevsim10
vm_check_output "devlink lists the VF representor ports" "netdev $vf1 flavour pcivf.*vfnum 1" \
  devlink port show
vm_check "device 11: switchdev first, then sriov_numvfs=2" \
  sh -c 'echo "11 1" > /sys/bus/netdevsim/new_device &&
    devlink dev eswitch set netdevsim/netdevsim11 mode switchdev &&
    echo 2 > /sys/bus/netdevsim/devices/netdevsim11/sriov_numvfs'
vm_check "device 11 has its representors" vm_netdev_by_port_name 11 pf0vf1
vm_check "ingress qdisc on the uplink representor" tc qdisc add dev "$uplink" ingress
vm_check "hw-tc-offload can be turned on" ethtool -K "$uplink" hw-tc-offload on
vm_check_fails "stock netdevsim refuses skip_sw flower" 'netdevsim: only offload of BPF classifiers supported' \
  tc filter add dev "$uplink" ingress protocol ip prio 1 flower skip_sw dst_ip 192.0.2.1 action drop

# ---- 4. patched netdevsim: flower_offload=1
vm_check "netdevsim reloaded with flower_offload=1" vm_netdevsim_load flower_offload=1
vm_check_output "device 20 in switchdev mode with 2 VFs" 'pf0vf1' vm_netdevsim_create 20 2
uplink=$(vm_netdev_by_port_name 20 p1)
vf0=$(vm_netdev_by_port_name 20 pf0vf0)
vf1=$(vm_netdev_by_port_name 20 pf0vf1)
dfs=/sys/kernel/debug/netdevsim/netdevsim20
vm_check_output "hw-tc-offload on by default on representors" 'hw-tc-offload: on' ethtool -k "$vf0"
tc qdisc add dev "$uplink" ingress
tc qdisc add dev "$vf0" ingress
vm_check "skip_sw flower accepted on the uplink" \
  tc filter add dev "$uplink" ingress protocol ip prio 1 flower skip_sw dst_ip 192.0.2.1 action drop
vm_check_output "the rule is in_hw, in_hw_count 1" 'in_hw in_hw_count 1' tc filter show dev "$uplink" ingress
vm_check "skip_sw flower with mirred on a VF representor" \
  tc filter add dev "$vf0" ingress protocol ip prio 2 flower skip_sw ip_proto tcp dst_port 80 \
  action mirred egress redirect dev "$vf1"
vm_check_output "the driver's table holds both rules" "dev $vf0 ifindex [0-9]+ chain 0 prio 2 protocol 0x0800 actions 1" \
  cat "$dfs/flower_rules"
ifindex=$(cat "/sys/class/net/$uplink/ifindex")
vm_check "hardware stats injected for the uplink rule" sh -c "echo '7 700 ifindex=$ifindex' > $dfs/flower_stats_inject"
vm_check_output "tc -s shows the hardware stats (7 packets, 700 bytes)" 'Sent hardware 700 bytes 7 pkt' \
  tc -s filter show dev "$uplink" ingress
vm_check_output "and they accumulate (+3 packets)" 'Sent hardware 1000 bytes 10 pkt' \
  sh -c "echo '3 300 prio=1' > $dfs/flower_stats_inject && tc -s filter show dev $uplink ingress"
vm_check_fails "injecting for no rule fails (ENOENT)" 'No such file' \
  bash -c "echo '1 1 prio=99' > $dfs/flower_stats_inject"
echo 2 >/sys/module/netdevsim/parameters/flower_max_rules
vm_check_fails "table full (flower_max_rules=2): ENOSPC with the driver's message" \
  'simulated flower table is full' \
  tc filter add dev "$vf0" ingress protocol ip prio 3 flower skip_sw ip_proto udp action drop
vm_check "a skip_hw rule is still accepted when the table is full" \
  tc filter add dev "$vf0" ingress protocol ip prio 4 flower skip_hw ip_proto udp action drop
vm_check_fails "hw-tc-offload cannot be turned off while rules are offloaded" 'hw-tc-offload: on \[requested off\]' \
  ethtool -K "$vf0" hw-tc-offload off
vm_check "deleting a rule frees its table entry" tc filter del dev "$vf0" ingress prio 2
vm_check "then the next skip_sw rule fits" \
  tc filter add dev "$vf0" ingress protocol ip prio 3 flower skip_sw ip_proto udp action drop
echo 0 >/sys/module/netdevsim/parameters/flower_max_rules
tc qdisc del dev "$vf0" ingress
# After a refused change the kernel keeps "off" in wanted_features, so asking
# for "off" again is a no-op: ask for "on" first (a kernel quirk, not netdevsim's).
vm_check "hw-tc-offload off once the rules are gone" \
  sh -c "ethtool -K $vf0 hw-tc-offload on; ethtool -K $vf0 hw-tc-offload off"
tc qdisc add dev "$vf0" ingress
vm_check_fails "with hw-tc-offload off, skip_sw is refused" 'TC offload is disabled on net device' \
  tc filter add dev "$vf0" ingress protocol ip prio 1 flower skip_sw ip_proto udp action drop
vm_check "removing the devices" sh -c 'echo 20 > /sys/bus/netdevsim/del_device'
vm_check "unloading netdevsim" rmmod netdevsim

# ---- 5. OVS kernel datapath
if command -v ovs-dpctl >/dev/null; then
  vm_check "ovs-dpctl creates a kernel datapath" ovs-dpctl add-dp smoke
  vm_check "and deletes it" ovs-dpctl del-dp smoke
else
  vm_check_output "openvswitch genetlink families registered (no ovs-dpctl on the host)" 'ovs_datapath' \
    genl ctrl list
fi

vm_summary
