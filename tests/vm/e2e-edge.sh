#!/usr/bin/env bash
# Guest script: the "virtual edge server" end to end (issue 7). A netdevsim
# SmartNIC with the test-only flower patch (simulated eSwitch table with
# hardware counters), OVS on the kernel datapath with hw-offload, four
# containers, and configs/virtual-edge.yaml applied and run by snoc:
#   1. snoc apply (a VF workload without a VF netdev fails clearly; with the
#      stand-in it converges; a further apply changes nothing);
#   2. snoc run in the background; ping and TCP between the veth containers
#      (tc software), hardware counters injected into the netdevsim rules;
#   3. snoc flows / snoc status / /metrics: placements, counters, reasons,
#      and the hit rate agreeing with the packet counters;
#   4. a deleted tc rule repaired and counted; SIGTERM leaves the data
#      plane; a restarted daemon adopts the rules without duplicating them;
#   5. a summary for operators: placements, hit rate, reasons.
#   tests/vm/run.sh tests/vm/e2e-edge.sh [BUILD_DIR]   (default: build; scripts/e2e.sh runs it)
# Needs: the patched netdevsim (tests/vm/setup.sh), Open vSwitch
# (scripts/install-ovs.sh), curl, jq; iperf3 for the TCP part (else a bash
# /dev/tcp client and a python3 sink).
set -uo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
snoc="$build/controller/snoc"
[ -x "$snoc" ] || { echo "e2e-edge: $snoc not built (cmake --build $build --target snoc)"; exit 1; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
for tool in ovs-vswitchd curl jq; do
  command -v "$tool" >/dev/null || { echo "e2e-edge: $tool not installed (scripts/e2e.sh installs it)"; exit 1; }
done

nsim=7                       # netdevsim device id
listen=127.0.0.1:9469        # monitoring.listen of the spec
work=$(mktemp -d /run/snoc-e2e.XXXXXX)
ovs=$work/ovs
export OVS_RUNDIR=$ovs OVS_LOGDIR=$ovs OVS_DBDIR=$ovs
ovsopts=(--ovsdb "$ovs/db.sock" --ovs-rundir "$ovs")
daemon_pid=
ports=()

cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  [ -n "${iperf_pid:-}" ] && kill "$iperf_pid" 2>/dev/null
  # With tests/vm/run.sh --out DIR: the reports, the daemon's log, metrics,
  # tc and datapath dumps, for a post-mortem on the host.
  if [ -n "${SNOC_VM_OUT:-}" ]; then
    local p
    for p in "${ports[@]:-}"; do
      [ -n "$p" ] && tc -s filter show dev "$p" ingress >"$work/tc-$p.txt" 2>&1
    done
    if [ -f "$ovs/ovs-vswitchd.pid" ]; then
      vm_ovs_appctl "$ovs" dpctl/dump-flows -m system@ovs-system >"$work/dpflows.txt" 2>&1
      ovs-ofctl -O OpenFlow13 dump-flows "unix:$ovs/br-edge.mgmt" >"$work/ofctl-flows.txt" 2>&1
    fi
    cp -r "$work"/. "$SNOC_VM_OUT/" 2>/dev/null
  fi
  vm_ovs_stop "$ovs"
  [ -d "/sys/bus/netdevsim/devices/netdevsim$nsim" ] && vm_netdevsim_delete "$nsim"
  for ns in cam infer web api; do ip netns del "$ns" 2>/dev/null; done
}
trap cleanup EXIT

# --- the machine: modules, the NIC, OVS ---------------------------------------
modprobe openvswitch || { echo "e2e-edge: modprobe openvswitch failed"; exit 1; }
for m in sch_ingress cls_flower act_mirred act_gact act_vlan act_pedit; do modprobe "$m" 2>/dev/null; done
# flower_offload=1: rules on the netdevsim ports go into its simulated table
# (in_hw) and report injected hardware counters; devlink_port_fn=1: the
# eswitch inline / encap modes the netdevsim profile asks for exist.
vm_check "patched netdevsim loads (flower_offload=1)" vm_netdevsim_load flower_offload=1 devlink_port_fn=1
# One port, no VFs, legacy mode: snoc apply does the rest, as on a real NIC.
echo "$nsim 1" >/sys/bus/netdevsim/new_device
vm_wait_for 10 test -d "/sys/bus/netdevsim/devices/netdevsim$nsim/net"
pf=$(vm_netdev_by_port_name "$nsim" p1) || { echo "e2e-edge: netdevsim$nsim has no uplink"; exit 1; }
dbg=/sys/kernel/debug/netdevsim/netdevsim$nsim

# The spec is configs/virtual-edge.yaml with the PF name netdevsim chose.
spec=$work/virtual-edge.yaml
sed "s/^\(    pf: \)eth0$/\1$pf/" "$repo/configs/virtual-edge.yaml" >"$spec"
vm_check_output "the spec names the netdevsim PF ($pf)" "pf: $pf\$" cat "$spec"

# hw-offload and tc-policy are read once when ovs-vswitchd starts: set as the
# spec wants them, so apply has no restart to ask for.
vm_check "ovsdb-server + ovs-vswitchd (kernel datapath, hw-offload=true)" \
  vm_ovs_start "$ovs" hw-offload=true tc-policy=none max-idle=30000
# The upcall-handler quirk (vm_ovs_restart_vswitchd in lib.sh) shows once
# the kernel datapath exists: make it with a scratch bridge, restart
# ovs-vswitchd with handlers, drop the bridge (snoc makes its own).
warm_restart() {
  vm_ovs_vsctl "$ovs" add-br br-warmup && vm_ovs_restart_vswitchd "$ovs" && vm_ovs_vsctl "$ovs" del-br br-warmup
}
vm_check "ovs-vswitchd restarted once its upcall handlers exist" warm_restart

# --- 1. apply -------------------------------------------------------------------
# netdevsim VFs have no netdev: a VF workload cannot be attached, and apply
# must say which and why, having done the NIC part.
first=$("$snoc" apply "${ovsopts[@]}" "$spec" 2>&1)
rc=$?
# Exit 3: "failed part way, run again once fixed".
vm_check_output "apply exits 3 naming the VF workload with no VF netdev" '^3 .*workload cam, finding its VF:.*has no netdev' \
  echo "$rc $(printf '%s' "$first" | tr '\n' ' ')"
vm_check_output "the NIC part was done: 4 representors named edge_vfN" 'edge_vf3' ip -br link show edge_vf3
# Stand-ins where a real driver's VF netdev would be moved: an eth0 in each
# VF container's namespace (apply created the namespaces).
for ns in cam infer; do
  ip netns add "$ns" 2>/dev/null
  ip -n "$ns" link add eth0 type dummy
done
"$snoc" apply "${ovsopts[@]}" -o json "$spec" >"$work/apply1.json"
vm_check "apply with the stand-ins converges" jq -e '.ok' "$work/apply1.json"
bridge_ports() { vm_ovs_vsctl "$ovs" list-ports br-edge | sort | tr '\n' ' '; }
vm_check_output "apply wired OVS: uplink, the VF workloads' representors, veths" \
  "^$(printf '%s\n' "$pf" edge_vf0 edge_vf1 v-api v-web | sort | tr '\n' ' ')\$" bridge_ports
vm_check_output "apply placed 3 rules in hardware, 2 in tc software, 4 in OVS" '^3 2 4$' \
  jq -r '"\(.placements.hardware) \(.placements["tc-software"]) \(.placements.ovs)"' "$work/apply1.json"
"$snoc" apply "${ovsopts[@]}" -o json "$spec" >"$work/apply2.json"
vm_check_output "a second apply changes nothing" '^true 0$' jq -r '"\(.ok) \(.changes)"' "$work/apply2.json"

# snoc's tc rules carry an action cookie starting with "snoc" (736e6f63).
ports=("$pf" edge_vf0 edge_vf1 v-web v-api)
snoc_filters() { # total count of snoc's tc rules on the spec's ports
  local p n=0
  for p in "${ports[@]}"; do n=$((n + $(tc filter show dev "$p" ingress | grep -c 'cookie 736e6f63'))); done
  echo "$n"
}
cookie_of() { # RULE: the tc action cookie of snoc's rule, from the command apply reported
  # (not from .cookie: jq reads JSON numbers as doubles, and 64-bit cookies lose bits)
  jq -r --arg r "$1" '.rules[] | select(.rule == $r) | .command' "$work/apply1.json" | grep -o 'cookie [0-9a-f]*' | head -n 1
}
pref_of() { # DEV RULE: the tc pref of snoc's rule on DEV, found by its cookie
  tc filter show dev "$1" ingress |
    awk -v c="$(cookie_of "$2")" '/^filter /{for (i = 1; i <= NF; i++) if ($i == "pref") p = $(i + 1)} c != "" && index($0, c) {print p; exit}'
}
in_hw() { # DEV RULE: the rule is in the (simulated) NIC
  tc filter show dev "$1" ingress pref "$(pref_of "$1" "$2")" | grep -q 'in_hw'
}
vm_check_output "five snoc tc rules installed" '^5$' snoc_filters
vm_check "deny-ssh-from-uplink in the NIC (in_hw on $pf)" in_hw "$pf" deny-ssh-from-uplink
vm_check "cam-to-infer in the NIC (in_hw on edge_vf0)" in_hw edge_vf0 cam-to-infer
vm_check "infer-to-cloud in the NIC (in_hw on edge_vf1)" in_hw edge_vf1 infer-to-cloud
vm_check_output "web-to-api in tc software (skip_hw on v-web)" 'skip_hw' \
  tc filter show dev v-web ingress pref "$(pref_of v-web web-to-api)"
vm_check_output "netdevsim's table holds the three hardware rules" '^3$' sh -c "grep -c . $dbg/flower_rules"

# --- 2. the daemon and traffic --------------------------------------------------
metric() { # REGEX: the value of the first /metrics sample matching
  curl -sf "http://$listen/metrics" | grep -E -- "$1" | head -n 1 | awk '{print $NF}'
}
polls_past() { # N: the daemon finished more than N polls
  local p
  p=$(metric '^snoc_polls_total ') && [ -n "$p" ] && [ "${p%.*}" -gt "$1" ]
}
wait_polls() { # N: wait for N more polls
  local p
  p=$(metric '^snoc_polls_total ')
  vm_wait_for 20 polls_past "$((${p%.*} + $1 - 1))"
}
start_daemon() { # in this shell, not in vm_check's subshell: daemon_pid must stay known
  "$snoc" run "${ovsopts[@]}" --repair-interval 2 "$spec" >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
}
start_daemon
# The first poll only records a baseline: traffic counts from the second.
vm_check "snoc run serves /metrics and has polled" vm_wait_for 30 polls_past 0
vm_check_output "snoc status answers" 'hit rate' "$snoc" status --listen "$listen"

vm_check "web pings api (20 packets through tc software)" ip netns exec web ping -c 20 -i 0.1 -W 2 -q 10.30.0.3
# Simulated hardware traffic: the camera stream (VF0 -> VF1) and blocked SSH
# attempts on the uplink, injected into the rules netdevsim holds.
ifindex() { cat "/sys/class/net/$1/ifindex"; }
vm_check "inject 9000 packets into cam-to-infer" sh -c \
  "echo '9000 9000000 ifindex=$(ifindex edge_vf0) prio=$(pref_of edge_vf0 cam-to-infer)' >$dbg/flower_stats_inject"
vm_check "inject 500 packets into deny-ssh-from-uplink" sh -c \
  "echo '500 30000 ifindex=$(ifindex "$pf") prio=$(pref_of "$pf" deny-ssh-from-uplink)' >$dbg/flower_stats_inject"
vm_check_output "tc reports the hardware counters" 'Sent hardware 9000000 bytes 9000 pkt' \
  tc -s filter show dev edge_vf0 ingress pref "$(pref_of edge_vf0 cam-to-infer)"
wait_polls 2
"$snoc" flows --listen "$listen" -o json >"$work/flows1.json"
rule() { # RULE FIELD: a field of snoc's hw-rule record for RULE
  jq -r --arg r "$1" --arg f "$2" '.flows[] | select(.source == "hw-rule" and .id == $r) | .[$f]' "$work/flows1.json"
}
vm_check_output "cam-to-infer: hardware, the 9000 injected packets" '^hardware 9000$' \
  echo "$(rule cam-to-infer placement) $(rule cam-to-infer packets)"
vm_check_output "deny-ssh-from-uplink: hardware, 500 packets" '^hardware 500$' \
  echo "$(rule deny-ssh-from-uplink placement) $(rule deny-ssh-from-uplink packets)"
vm_check_output "infer-to-cloud: hardware, no traffic" '^hardware 0$' \
  echo "$(rule infer-to-cloud placement) $(rule infer-to-cloud packets)"
vm_check_output "web-to-api: tc-software, the 20 echo requests" '^tc-software 20$' \
  echo "$(rule web-to-api placement) $(rule web-to-api packets)"
vm_check_output "api-to-web: tc-software, the 20 echo replies" '^tc-software 20$' \
  echo "$(rule api-to-web placement) $(rule api-to-web packets)"
vm_check_output "tc-software rules say why they are not in hardware" 'port-not-on-eswitch' \
  jq -c '.flows[] | select(.source == "hw-rule" and .id == "web-to-api") | .reasons' "$work/flows1.json"
vm_check_output "ARP ran through OVS: datapath flows from the veths, with reasons" '^[1-9]' \
  jq '[.flows[] | select(.source == "datapath" and (.port == "v-web" or .port == "v-api") and (.reasons | length) > 0)] | length' "$work/flows1.json"
vm_check_output "snoc flows --placement hw lists only the three hardware rules" '^3 hardware$' \
  sh -c "\"$snoc\" flows --listen $listen --placement hw -o json | jq -r '[.flows[].placement] | \"\(length) \(unique | join(\",\"))\"'"
vm_check_output "OVS-only rules keep their reasons (apply report)" 'infer-dscp: .*set_field.*cam-firewall: .*connection tracking' \
  sh -c "jq -r '.rules[] | select(.placement == \"ovs\") | \"\(.rule): \(.reasons | join(\"; \"))\"' $work/apply2.json | tr '\n' ' '"

# TCP between the veth containers: iperf3 when installed, else bash /dev/tcp
# into a python3 sink. Either way it runs through snoc's tc rules.
before=$(rule web-to-api packets)
if command -v iperf3 >/dev/null; then
  ip netns exec api iperf3 -s -1 -p 5201 >"$work/iperf-server.log" 2>&1 &
  iperf_pid=$!
  vm_wait_for 10 ip netns exec api sh -c 'grep -q ":1451 " /proc/net/tcp'
  vm_check_output "TCP web -> api (iperf3, 2 s)" 'receiver' ip netns exec web iperf3 -c 10.30.0.3 -p 5201 -t 2
  tcp_rate=$(printf '%s\n' "$VM_LAST_OUTPUT" | awk '/receiver/ {print $(NF-2), $(NF-1)}')
  wait "$iperf_pid" 2>/dev/null
  iperf_pid=
else
  ip netns exec api /usr/bin/python3 -c 'import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("10.30.0.3", 5201)); s.listen(1)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
print(n)' >"$work/sink.out" 2>&1 &
  iperf_pid=$!
  vm_wait_for 10 ip netns exec api sh -c 'grep -q ":1451 " /proc/net/tcp'
  vm_check "TCP web -> api (bash /dev/tcp, 4 MB)" ip netns exec web bash -c \
    'exec 3<>/dev/tcp/10.30.0.3/5201 && head -c 4000000 /dev/zero >&3 && exec 3>&-'
  wait "$iperf_pid"
  iperf_pid=
  vm_check_output "the sink received all 4 MB" '^4000000$' cat "$work/sink.out"
  tcp_rate="4 MB sent"
fi
wait_polls 2
"$snoc" flows --listen "$listen" -o json >"$work/flows1.json"
after=$(rule web-to-api packets)
vm_check "the TCP segments were counted in tc software (web-to-api: $before -> $after packets)" \
  test "${after:-0}" -gt $((before + 100))

# --- 3. metrics: the hit rate agrees with the counters -----------------------------
curl -sf "http://$listen/metrics" >"$work/metrics"
vm_check_output "metrics: cam's packets in hardware" '^snoc_packets_total\{nic="uplink",placement="hardware",port="edge_vf0",workload="cam"\} 9000$' \
  cat "$work/metrics"
vm_check_output "metrics: web's packets in tc software" '^snoc_packets_total\{nic="",placement="tc-software",port="v-web",workload="web"\} [1-9]' \
  cat "$work/metrics"
sum_packets() { # [PLACEMENT]: sum of snoc_packets_total samples (of one placement)
  awk -v p="${1:-}" '/^snoc_packets_total\{/ && (p == "" || index($0, "placement=\"" p "\"")) {s += $NF} END {printf "%.0f\n", s}' "$work/metrics"
}
hw=$(sum_packets hardware)
all=$(sum_packets)
hit=$(awk '/^snoc_offload_cumulative_hit_ratio\{name="all",scope="all"\}/ {print $NF}' "$work/metrics")
vm_check_output "metrics: hardware packets are the 9500 injected" '^9500$' echo "$hw"
vm_check_output "metrics: hit rate (all) = hardware / all packets = $hw / $all" '^equal' \
  awk -v h="$hw" -v a="$all" -v r="${hit:-none}" 'BEGIN {
    if (r == "none" || a == 0) { print "no hit rate sample (" r ") or no packets (" a ")"; exit }
    d = r - h / a; if (d < 0) d = -d
    print (d < 1e-9 ? "equal" : "differs") " " r " vs " h / a }'
vm_check_output "metrics: cam's hit rate is 1" '^snoc_offload_cumulative_hit_ratio\{name="cam",scope="workload"\} 1$' cat "$work/metrics"
vm_check_output "metrics: hardware table occupancy 3" '^snoc_hw_table_rules\{nic="uplink"\} 3$' cat "$work/metrics"
vm_check_output "metrics: no poll errors" '^snoc_poll_errors_total 0$' cat "$work/metrics"

# What operators see at the end of the traffic phase (the summary below;
# the repair next re-creates a rule, with fresh counters).
"$snoc" status --listen "$listen" >"$work/status.txt" 2>&1
"$snoc" flows --listen "$listen" >"$work/flows.txt" 2>&1
"$snoc" flows --listen "$listen" -o json >"$work/flows-final.json" 2>&1

# --- 4. repair, SIGTERM, adoption --------------------------------------------------
repairs() { metric '^snoc_repairs_total\{kind="tc-rule-deleted"\}'; }
repairs_before=$(repairs)
vm_check_output "no repair while nobody touched the data plane" '^0$' echo "${repairs_before:-absent}"
pref=$(pref_of edge_vf0 cam-to-infer)
# Deleted and checked gone with the daemon stopped (SIGSTOP): it repairs
# within 2 s, and under TCG that can fall between the two tc commands.
delete_rule() {
  kill -STOP "$daemon_pid" || return 1
  local rc=0
  tc filter del dev edge_vf0 ingress pref "$pref" && [ -z "$(tc filter show dev edge_vf0 ingress pref "$pref")" ] || rc=1
  kill -CONT "$daemon_pid"
  return "$rc"
}
vm_check "someone deletes cam-to-infer (tc filter del): gone" delete_rule
vm_check "the daemon puts it back, in the NIC" vm_wait_for 20 in_hw edge_vf0 cam-to-infer
repaired() { [ "$(repairs)" -gt "${repairs_before:-0}" ]; }
vm_check "snoc_repairs_total{kind=\"tc-rule-deleted\"} went up (was ${repairs_before:-absent})" vm_wait_for 10 repaired
vm_check_output "five snoc tc rules again, no duplicate" '^5$' snoc_filters
vm_check_output "the daemon logged the repair" 'repaired rules in NIC uplink: 1 rules added' cat "$work/daemon.log"

flows_owned() { ovs-ofctl -O OpenFlow13 dump-flows "unix:$ovs/br-edge.mgmt" cookie=0x5c0c000000000000/0xffff000000000000 | grep -c cookie=; }
kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=
vm_check_output "SIGTERM: snoc run exits 0" '^0$' echo "$rc"
vm_check_output "the tc rules stay" '^5$' snoc_filters
vm_check "the hardware rules stay in the NIC" in_hw edge_vf0 cam-to-infer
vm_check_output "the nine policy flows stay in OVS" '^9$' flows_owned
filters_before=$(tc filter show dev edge_vf0 ingress | grep -c '^filter')
start_daemon
vm_check "a restarted snoc run serves /metrics" vm_wait_for 30 polls_past 0
wait_polls 1
vm_check_output "the restarted daemon's apply changed nothing" 'applied .*: 0 changes' \
  sh -c "grep 'applied ' $work/daemon.log | tail -n 1"
vm_check_output "still five snoc tc rules after the restart" '^5$' snoc_filters
vm_check_output "no filter added on edge_vf0 ($filters_before before)" "^$filters_before\$" \
  sh -c "tc filter show dev edge_vf0 ingress | grep -c '^filter'"
vm_check_output "still nine policy flows" '^9$' flows_owned
vm_check_output "the adopted rules are reported in hardware" '^3$' \
  sh -c "\"$snoc\" flows --listen $listen --placement hw -o json | jq '.flows | length'"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=
vm_check_output "the restarted daemon exits 0 on SIGTERM" '^0$' echo "$rc"
if grep -Eq '\[(error|critical)\]' "$work/daemon.log"; then
  echo "daemon errors:"
  grep -E '\[(error|critical)\]' "$work/daemon.log" | head -n 20 | sed 's/^/    | /'
fi

# --- 5. what an operator sees ------------------------------------------------------
echo
echo "=================== virtual edge server: summary ==================="
echo "NIC: netdevsim$nsim (patched, simulated eSwitch), PF $pf, representors edge_vf0..3; OVS br-edge on the kernel datapath"
echo
echo "Policy rules (snoc flows, after the traffic):"
jq -r '.flows[] | select(.source == "hw-rule") | [.id, .placement, (.packets | tostring), .port, ((.reasons | map(.code)) | join(","))] | @tsv' \
  "$work/flows-final.json" | awk -F'\t' 'BEGIN {printf "  %-22s %-12s %9s  %-9s %s\n", "RULE", "PLACEMENT", "PACKETS", "PORT", "WHY NOT IN HARDWARE"}
  {printf "  %-22s %-12s %9s  %-9s %s\n", $1, $2, $3, $4, $5}'
jq -r '.rules[] | select(.placement == "ovs") | [.rule, .placement, "-", (.port // ""), (.reasons | join("; "))] | @tsv' "$work/apply2.json" |
  awk -F'\t' '{printf "  %-22s %-12s %9s  %-9s %s\n", $1, $2, $3, $4, $5}'
echo
echo "OVS datapath flows (floods through NORMAL): $(jq -r '[.flows[] | select(.source == "datapath") | .placement] | if length == 0 then "none" else group_by(.) | map("\(length) \(.[0])") | join(", ") end' "$work/flows-final.json")"
echo "TCP web -> api: ${tcp_rate:-not run}"
echo "Packets: $hw in hardware (injected into the simulated NIC's counters) of $all;" \
  "offload hit rate since start: $(awk -v r="${hit:-}" 'BEGIN { if (r == "") print "undefined (no packets)"; else printf "%.1f%%", r * 100 }')"
echo
echo "snoc status:"
sed 's/^/  /' "$work/status.txt"
echo
echo "snoc flows:"
sed 's/^/  /' "$work/flows.txt"
echo "===================================================================="
vm_summary
