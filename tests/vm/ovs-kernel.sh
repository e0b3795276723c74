#!/usr/bin/env bash
# Guest script: OVS on the kernel (system) datapath with hw-offload=true,
# watched by snoc's DatapathMonitor (tests/ovs/dpmon_probe.cpp):
#   1. tc-policy=skip_hw, veths in namespaces, ping: flows run in tc
#      software (dp:tc) and the monitor says tc-software;
#   2. tc-policy=skip_sw on veths: tc cannot take them, OVS falls back to
#      its own kernel datapath (dp:ovs) and the monitor says ovs;
#   3. the patched netdevsim (flower_offload=1), VF representors as OVS
#      ports: a datapath flow lands in the simulated hardware
#      (offloaded:yes) and the monitor says hardware, with the counters
#      injected through debugfs.
# The real dumps go to $SNOC_VM_OUT (with --out) for tests/data/dpflows.
#   tests/vm/run.sh [--out DIR] tests/vm/ovs-kernel.sh [BUILD_DIR]   (default: build)
set -uo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
probe="$build/tests/ovs/snoc_dpmon_probe"
[ -x "$probe" ] || { echo "ovs-kernel: $probe not built (cmake --build $build)"; exit 1; }
out=${SNOC_VM_OUT:-}

modprobe openvswitch || { echo "ovs-kernel: modprobe openvswitch failed"; exit 1; }
for m in sch_ingress cls_flower act_mirred act_gact act_vlan act_pedit act_tunnel_key act_skbedit; do
  modprobe "$m" 2>/dev/null
done

run=$(mktemp -d /run/snoc-ovs.XXXXXX)
export OVS_RUNDIR=$run OVS_LOGDIR=$run OVS_DBDIR=$run
vsctl() { vm_ovs_vsctl "$run" "$@"; }
ctl() { vm_ovs_ctl "$run"; }
appctl() { vm_ovs_appctl "$run" "$@"; }
start_ovs() { # TC_POLICY
  vm_ovs_start "$run" hw-offload=true "tc-policy=$1" max-idle=60000
}
# The upcall-handler quirk of the first ovs-vswitchd after modprobe: see lib.sh.
restart_vswitchd() { vm_ovs_restart_vswitchd "$run"; }
stop_ovs() { vm_ovs_stop "$run"; }

setup_veths() {
  local i
  for i in 0 1; do
    ip netns add "ns$i"
    ip link add "v${i}a" type veth peer name "v${i}b"
    ip link set "v${i}b" netns "ns$i"
    ip -n "ns$i" addr add "10.9.0.$((i + 1))/24" dev "v${i}b"
    ip -n "ns$i" link set "v${i}b" address "02:00:00:00:09:0$((i + 1))"
    ip -n "ns$i" link set "v${i}b" up
    ip -n "ns$i" link set lo up
    ip link set "v${i}a" up
  done
}

dump() { appctl dpctl/dump-flows -m system@ovs-system; }
save() { [ -n "$out" ] && dump >"$out/$1"; true; }
probe() { "$probe" "$(ctl)" system@ovs-system; }
# Right after start-up ovs-vswitchd may run with no upcall handler threads
# for a few seconds (its log: "Overriding n-handler-threads to 0"), and
# packets that miss the datapath are lost: wait for a first reply.
warm_up() { vm_wait_for 20 ip netns exec ns0 ping -c 1 -W 1 10.9.0.2; }

setup_veths

# 1. tc software (skip_hw) on veths.
vm_check "ovsdb-server + ovs-vswitchd on the kernel datapath (tc-policy=skip_hw)" start_ovs skip_hw
vm_check "bridge with two veth ports" vsctl add-br br0 -- add-port br0 v0a -- add-port br0 v1a
vm_check "restart ovs-vswitchd once its upcall handlers exist" restart_vswitchd
vm_check_output "vswitchd uses the system datapath" 'system@ovs-system' appctl dpif/show
vm_check "first ping answered (upcall handlers running)" warm_up
vm_check "ping through OVS (tc software)" ip netns exec ns0 ping -c 3 -i 0.2 -W 2 10.9.0.2
vm_check_output "the dump shows dp:tc flows" 'dp:tc' dump
save kernel-skip_hw-m.txt
vm_check_output "tc holds the flows in software (not in_hw)" 'not_in_hw' tc filter show dev v0a ingress
vm_check_output "DatapathMonitor: tc-software with the ping's packets" 'totals flows=[1-9].* tc-software=[1-9]' probe
vm_check_output "DatapathMonitor: in_port resolved to the OVS port" 'placement=tc-software in_port=v[01]a dp=tc' probe
stop_ovs

# 2. skip_sw on veths: tc refuses, OVS keeps the flows in its own datapath.
vm_check "restart with tc-policy=skip_sw" start_ovs skip_sw
vm_check "bridge again" vsctl --may-exist add-br br0 -- --may-exist add-port br0 v0a -- --may-exist add-port br0 v1a
vm_check "first ping answered (upcall handlers running)" warm_up
vm_check "ping through OVS (fallback)" ip netns exec ns0 ping -c 3 -i 0.2 -W 2 10.9.0.2
vm_check_output "the dump shows dp:ovs flows" 'dp:ovs' dump
save kernel-skip_sw-fallback-m.txt
vm_check_output "DatapathMonitor: ovs, none in tc" 'totals flows=[1-9].* tc-software=0 ovs=[1-9]' probe
stop_ovs

# 3. patched netdevsim: a flow in (simulated) hardware.
if ! vm_netdevsim_load flower_offload=1; then
  vm_skip "netdevsim hardware offload" "patched netdevsim did not load"
else
  vm_netdevsim_create 11 2 >/dev/null
  rep0=$(vm_netdev_by_port_name 11 pf0vf0)
  rep1=$(vm_netdev_by_port_name 11 pf0vf1)
  ip link set "$rep0" up
  ip link set "$rep1" up
  vm_check "restart with tc-policy=none" start_ovs none
  vm_check "bridge with two netdevsim VF representors" vsctl --may-exist add-br br0 -- add-port br0 "$rep0" -- add-port br0 "$rep1"
  vm_check_output "representors offload tc" 'hw-tc-offload: on' ethtool -k "$rep0"
  # netdevsim has no VF netdevs and cannot receive, so no packet reaches
  # OVS through a representor: put a datapath flow in directly, with the
  # revalidators paused so they do not delete a flow no OpenFlow rule made.
  appctl revalidator/pause >/dev/null
  n0=$(appctl dpctl/show system@ovs-system | sed -n "s/^ *port \([0-9]*\): $rep0\( .*\)\?$/\1/p")
  n1=$(appctl dpctl/show system@ovs-system | sed -n "s/^ *port \([0-9]*\): $rep1\( .*\)\?$/\1/p")
  vm_check "dpctl/add-flow on the representors" appctl dpctl/add-flow system@ovs-system \
    "in_port($n0),eth(src=02:00:00:00:0b:01,dst=02:00:00:00:0b:02),eth_type(0x0800),ipv4(src=10.11.0.1,dst=10.11.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=40000,dst=443)" \
    "$n1"
  vm_check_output "tc holds it in hardware" 'in_hw' tc filter show dev "$rep0" ingress
  ifindex=$(cat "/sys/class/net/$rep0/ifindex")
  dbg=/sys/kernel/debug/netdevsim/netdevsim11
  vm_check "inject hardware counters (7 packets, 700 bytes)" sh -c "echo '7 700 ifindex=$ifindex' > $dbg/flower_stats_inject"
  vm_check_output "the dump shows offloaded:yes" 'offloaded:yes, dp:tc' dump
  save kernel-netdevsim-offloaded-m.txt
  vm_check_output "DatapathMonitor: hardware with the injected packets" "placement=hardware in_port=$rep0 dp=tc offloaded=yes packets=7" probe
  vm_check_output "DatapathMonitor: totals count it as hardware" 'hardware=7 tc-software=0' probe
  appctl revalidator/resume >/dev/null
  stop_ovs
fi
[ -n "$out" ] && cp "$run"/*.log "$out/" 2>/dev/null
vm_summary
