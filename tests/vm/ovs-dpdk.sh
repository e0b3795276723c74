#!/usr/bin/env bash
# Guest script: snoc's rte_flow translation against OVS-DPDK's own.
#
# OVS-DPDK (Debian openvswitch-switch-dpdk, ovs-vswitchd-dpdk) with
# hw-offload=true tries to put every megaflow into the NIC as rte_flow rules
# and logs each attempt in dpdk-testpmd syntax ("Failed flow: flow create
# ..."). Here it runs on two net_tap ports (net_tap's rte_flow is kernel
# flower: only the VM has it), OpenFlow policy makes megaflows of the shapes
# snoc offloads (exact and prefix IPv4, IPv6, TCP/UDP ports, a VLAN pop, a
# drop), packets from the taps' kernel side make OVS install them, and
# snoc_ovs_dpdk_crosscheck translates each megaflow of `dpctl/dump-flows -m`
# through snoc's rte_flow translator and compares it, item by item and field
# by field, with the rule OVS logged for it (docs/rte-flow.md lists the few
# differences that are by design).
#   tests/vm/run.sh [--out DIR] tests/vm/ovs-dpdk.sh [BUILD_DIR]
# With --out, the dump, the log lines and the port map are kept in DIR
# (that is how tests/unit fixtures were captured).
set -uo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
check="$build/tests/ovs_dpdk/snoc_ovs_dpdk_crosscheck"
vswitchd=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
if [ ! -x "$vswitchd" ]; then
  echo "ovs-dpdk: $vswitchd missing (scripts/install-ovs.sh installs openvswitch-switch-dpdk)"
  exit 1
fi
if [ ! -x "$check" ]; then
  echo "ovs-dpdk: $check not built"
  exit 1
fi

run=/run/snoc-ovs-dpdk
mkdir -p "$run"
export OVS_RUNDIR=$run OVS_LOGDIR=$run OVS_DBDIR=$run
vsctl() { ovs-vsctl --db="unix:$run/db.sock" --timeout=60 "$@"; }
appctl() { ovs-appctl -t "$run/ovs-vswitchd-dpdk.$(cat "$run/ovs-vswitchd.pid").ctl" "$@"; }

mods=(tun sch_multiq sch_ingress cls_flower act_gact act_skbedit act_mirred act_bpf cls_bpf)
vm_check "modprobe ${mods[*]}" modprobe -a "${mods[@]}"

# No hugepages in the guest: --no-huge needs --legacy-mem, which OVS then
# does not combine with its default --in-memory. One PMD thread on core 0.
# max-idle 300 s: every megaflow OVS logged must still be in the dump.
start_ovs() {
  ovsdb-tool create "$run/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
    ovsdb-server "$run/conf.db" --remote="punix:$run/db.sock" --pidfile="$run/ovsdb-server.pid" \
      --log-file="$run/ovsdb-server.log" --detach --no-chdir &&
    vsctl --no-wait -- init -- set Open_vSwitch . other_config:dpdk-init=true other_config:hw-offload=true \
      other_config:dpdk-extra="--no-huge --legacy-mem -m 256 --no-pci --file-prefix=snoc-ovs-dpdk" \
      other_config:pmd-cpu-mask=0x1 other_config:dpdk-lcore-mask=0x1 other_config:max-idle=300000 &&
    "$vswitchd" "unix:$run/db.sock" --pidfile="$run/ovs-vswitchd.pid" --log-file="$run/ovs-vswitchd.log" \
      --detach --no-chdir
}
vm_check "ovsdb-server + ovs-vswitchd-dpdk (hw-offload=true, no hugepages)" start_ovs

# net_tap wants as many rx as tx queues; OVS gives a port one tx queue per
# PMD thread plus one: two of each.
add_ports() {
  vsctl add-br br0 -- set bridge br0 datapath_type=netdev &&
    vsctl add-port br0 dp0 -- set Interface dp0 type=dpdk options:dpdk-devargs=net_tap0,iface=odtap0 \
      options:n_rxq=2 ofport_request=1 &&
    vsctl add-port br0 dp1 -- set Interface dp1 type=dpdk options:dpdk-devargs=net_tap1,iface=odtap1 \
      options:n_rxq=2 ofport_request=2 &&
    vm_wait_for 30 ip link show odtap0 && vm_wait_for 30 ip link show odtap1 &&
    test -z "$(vsctl get Interface dp0 error 2>/dev/null | tr -d '[]')"
}
vm_check "bridge br0 with two net_tap DPDK ports" add_ports

policy() {
  ovs-ofctl -O OpenFlow14 --bundle replace-flows br0 - <<'EOF'
priority=10,udp,in_port=1,nw_src=10.9.0.1,tp_dst=5000,actions=output:2
priority=10,tcp,in_port=1,nw_dst=10.9.1.0/24,tp_dst=80,actions=output:2
priority=10,udp6,in_port=1,ipv6_dst=2001:db8::2,tp_dst=53,actions=output:2
priority=10,in_port=1,dl_vlan=100,actions=strip_vlan,output:2
priority=5,ip,in_port=1,nw_dst=10.9.2.9,actions=drop
priority=1,actions=drop
EOF
}
vm_check "OpenFlow policy (ovs-ofctl --bundle)" policy

# The kernel side of odtap0 sends what the policy matches: static
# neighbours, so every packet is the one we mean (no ARP / ND round trips).
traffic() {
  ip link set odtap0 up && ip link set odtap1 up &&
    ip addr add 10.9.0.1/24 dev odtap0 &&
    ip route add 10.9.1.0/24 dev odtap0 && ip route add 10.9.2.0/24 dev odtap0 &&
    ip neigh replace 10.9.0.2 lladdr 02:00:00:00:00:02 dev odtap0 &&
    ip neigh replace 10.9.1.5 lladdr 02:00:00:00:00:02 dev odtap0 &&
    ip neigh replace 10.9.2.9 lladdr 02:00:00:00:00:02 dev odtap0 &&
    ip -6 addr add 2001:db8::1/64 dev odtap0 nodad &&
    ip -6 neigh replace 2001:db8::2 lladdr 02:00:00:00:00:02 dev odtap0 &&
    ip link add link odtap0 name odtap0.100 type vlan id 100 && ip link set odtap0.100 up &&
    ip addr add 10.9.100.1/24 dev odtap0.100 &&
    ip neigh replace 10.9.100.2 lladdr 02:00:00:00:00:02 dev odtap0.100 || return 1
  local i
  for i in 1 2 3; do
    echo udp >/dev/udp/10.9.0.2/5000
    echo udp6 >/dev/udp/2001:db8::2/53
    echo drop >/dev/udp/10.9.2.9/7
    echo vlan >/dev/udp/10.9.100.2/9
    timeout 0.5 bash -c 'echo tcp >/dev/tcp/10.9.1.5/80'
    sleep 0.3
  done
  return 0
}
vm_check "packets of every policy rule from odtap0's kernel side" traffic

# OVS offloads asynchronously: wait until it has tried the UDP megaflow.
vm_check "OVS-DPDK tried to offload the megaflows" \
  vm_wait_for 30 grep -q 'Failed flow: .*udp dst is 5000' "$run/ovs-vswitchd.log"
vm_check_output "OVS says rte_flow refused the megaflows (net_tap has no transfer)" \
  'transfer is not supported' grep -m1 'transfer is not supported' "$run/ovs-vswitchd.log"

dump="$run/dump-flows.txt"
log="$run/offload.log"
# Name the datapath: an earlier script of the same boot may have left the
# kernel's (ovs-system), and dpctl then refuses to guess ("multiple
# datapaths, specify one").
snapshot() {
  grep -o 'flow create .*' "$run/ovs-vswitchd.log" >"$log"
  appctl dpctl/dump-flows -m netdev@ovs-netdev >"$dump"
}
compare() {
  "$check" --dump "$dump" --log "$log" --port dp0=0 --port dp1=1 --require udp,tcp,ipv6,vlan,drop
}
# A megaflow made a moment ago may not have reached OVS's offload thread
# yet (it would be a "MISS"): compare fresh snapshots for up to 30 s.
for _ in $(seq 30); do
  snapshot && compare >/dev/null 2>&1 && break
  sleep 1
done
printf '%s\n' "---- dpctl/dump-flows -m" && sed 's/^/    /' "$dump"
vm_check "snoc's rte_flow rules equal OVS-DPDK's, item by item, for every megaflow" compare

if [ -n "${SNOC_VM_OUT:-}" ]; then
  cp "$dump" "$log" "$SNOC_VM_OUT/"
fi

for p in ovs-vswitchd ovsdb-server; do
  [ -f "$run/$p.pid" ] && kill "$(cat "$run/$p.pid")" 2>/dev/null
done
vm_summary
