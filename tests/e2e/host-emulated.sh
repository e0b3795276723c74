#!/usr/bin/env bash
# Host end-to-end test of snoc on the emulated eBPF eSwitch
# (configs/emulated-edge.yaml, the demo's deployment) with real OVS daemons
# (userspace datapath) and real packets, in a private network namespace:
#   apply --dry-run changes nothing; apply makes the emulated NIC, the
#   containers, OVS and the eSwitch rules; a second apply (a new process)
#   adopts the eSwitch and changes nothing; pings counted exactly on the
#   eSwitch rules; software flows in OVS with their reasons; the hit rate
#   from /metrics agrees with the packet counters; misses OVS's socket
#   dropped while ovs-vswitchd was stopped are counted; a restarted daemon
#   adopts the rules with their counters; a re-made VF veth pair runs on the
#   fast path again with no record of its old ifindex left; `snoc down`
#   leaves nothing behind.
# Usage: tests/e2e/host-emulated.sh BUILD_DIR   (root; re-executes itself under unshare --net)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
snoc="$build/controller/snoc"
[ -x "$snoc" ] || { echo "host-emulated: $snoc not built"; exit 1; }
if ! "$snoc" plan "$repo/configs/emulated-edge.yaml" >/dev/null 2>&1; then
  echo "host-emulated: snoc cannot plan configs/emulated-edge.yaml"; exit 1
fi
if [ -z "${SNOC_E2E_INNER:-}" ]; then
  SNOC_E2E_INNER=1 exec unshare --net bash "$0" "$build"
fi

spec="$repo/configs/emulated-edge.yaml"
listen=127.0.0.1:9470
pins=/run/snoc/esw/esw
work=$(mktemp -d /tmp/snoc-e2e-esw.XXXXXX)
ovs="$work/ovs"
mkdir -p "$ovs"
export OVS_RUNDIR=$ovs OVS_LOGDIR=$ovs OVS_DBDIR=$ovs
ovsopts=(--ovsdb "$ovs/db.sock" --ovs-rundir "$ovs")
. "$repo/scripts/lib/private-ovs.sh"
failures=0 checks=0 daemon_pid=
check() { # NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  checks=$((checks + 1))
  if "$@" >"$work/out" 2>&1; then echo "ok   $name"; else failures=$((failures + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/out" | tail -20; fi
}
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  "$snoc" down "$spec" >/dev/null 2>&1
  private_ovs_stop "$ovs"
  for ns in cam infer store; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
# Leftovers of an interrupted earlier run would make the first apply adopt them.
"$snoc" down "$spec" >/dev/null 2>&1
for ns in cam infer store; do ip netns del "$ns" 2>/dev/null; done

ip link set lo up
private_ovs_start "$ovs" userspace-tso-enable=true || { echo "host-emulated: cannot start Open vSwitch"; exit 1; }

jq_ok() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)" "$@"; }

# --- apply ---------------------------------------------------------------------
"$snoc" apply "${ovsopts[@]}" --dry-run -o json "$spec" >"$work/dry.json"
check "dry run lists the emulated NIC's steps" jq_ok "$work/dry.json" \
  "any('eSwitch loaded' in c['description'] for s in d['sections'] for c in s.get('changes', []))"
check "dry run made nothing" sh -c "! ip netns list | grep -q snoc-esw-esw && ! test -e $pins/esw_rules"
"$snoc" apply "${ovsopts[@]}" -o json "$spec" >"$work/apply1.json"
check "apply succeeds" jq_ok "$work/apply1.json" "d['ok']"
check "two rules in the eSwitch, four in OVS" jq_ok "$work/apply1.json" \
  "sorted(r['placement'] for r in d['rules']) == ['hardware', 'hardware', 'ovs', 'ovs', 'ovs', 'ovs']"
check "the eSwitch is pinned" test -e "$pins/esw_rules"
check "the representors and the uplink are on the bridge" sh -c \
  "[ \"\$(ovs-vsctl --db=unix:$ovs/db.sock list-ports br-demo | sort | tr '\n' ' ')\" = 'esw0 esw0_vf0 esw0_vf1 esw0_vf2 ' ]"
check "the VF netdevs are in the containers" ip netns exec cam ip -br addr show eth0
"$snoc" apply "${ovsopts[@]}" -o json "$spec" >"$work/apply2.json"
check "a second apply (a new process) adopts the eSwitch and changes nothing" jq_ok "$work/apply2.json" \
  "d['ok'] and d['changes'] == 0"

# --- the daemon and traffic ------------------------------------------------------
metric() { curl -sf "http://$listen/metrics" | awk -v m="$1" 'index($0, m) == 1 {print $NF; exit}'; }
polls() { local p; p=$(metric 'snoc_polls_total '); echo "${p%.*}"; }
wait_polls() { # N more polls
  local p; p=$(polls)
  for _ in $(seq 100); do [ "$(polls)" -ge $((p + $1)) ] 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
start_daemon() {
  "$snoc" run "${ovsopts[@]}" --repair-interval 5 "$spec" >>"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do [ "$(polls)" -gt 0 ] 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
check "snoc run serves /metrics" start_daemon
rule_packets() { # RULE: packets snoc reports for the eSwitch rule
  "$snoc" flows --listen "$listen" -o json |
    python3 -c "import json,sys; print(next((f['packets'] for f in json.load(sys.stdin)['flows'] if f['source'] == 'hw-rule' and f['id'] == sys.argv[1] and f['placement'] == 'hardware'), 'absent'))" "$1"
}
ip netns exec cam ping -q -c 1 -W 2 10.40.0.12 >/dev/null   # ARP through OVS
ip netns exec cam ping -q -c 1 -W 2 10.40.0.13 >/dev/null
wait_polls 1
before=$(rule_packets cam-to-infer)
back_before=$(rule_packets infer-to-cam)
check "50 pings cam -> infer" ip netns exec cam ping -q -c 50 -i 0.01 -W 2 10.40.0.12
check "20 pings cam -> store" ip netns exec cam ping -q -c 20 -i 0.01 -W 2 10.40.0.13
wait_polls 2
after=$(rule_packets cam-to-infer)
back_after=$(rule_packets infer-to-cam)
check "cam-to-infer counted the 50 echo requests in the eSwitch ($before -> $after)" test "$((after - before))" -eq 50
check "infer-to-cam counted the 50 echo replies in the eSwitch ($back_before -> $back_after)" test "$((back_after - back_before))" -eq 50
"$snoc" flows --listen "$listen" -o json >"$work/flows.json"
check "cam -> store ran in OVS, with the set_field reason" jq_ok "$work/flows.json" \
  "any(f['source'] == 'datapath' and f['placement'] == 'ovs' and f['packets'] >= 20 and any(r['code'] == 'action-unsupported' for r in f['reasons']) for f in d['flows'])"
curl -sf "http://$listen/metrics" >"$work/metrics"
check "hit rate = eSwitch packets / all packets" python3 - "$work/metrics" <<'PY'
import re, sys
hw = all_ = 0.0
hit = None
for line in open(sys.argv[1]):
    m = re.match(r'snoc_packets_total\{(.*)\} (\S+)', line)
    if m:
        all_ += float(m.group(2))
        if 'placement="hardware"' in m.group(1):
            hw += float(m.group(2))
    if line.startswith('snoc_offload_cumulative_hit_ratio{name="all",scope="all"}'):
        hit = float(line.split()[-1])
print(f"hardware {hw:.0f} of {all_:.0f}, hit ratio {hit}")
sys.exit(0 if hit is not None and all_ > 0 and hw >= 100 and abs(hit - hw / all_) < 1e-9 else 1)
PY
check "interface drops of representors and uplink are metrics (slow-path losses are not silent)" sh -c \
  "grep -q '^snoc_port_dropped_packets_total{direction=\"rx\",nic=\"esw\",port=\"esw0_vf0\",workload=\"cam\"} [0-9]' $work/metrics && grep -q '^snoc_port_dropped_packets_total{direction=\"tx\",nic=\"esw\",port=\"esw0\",workload=\"\"} [0-9]' $work/metrics"
# Misses OVS does not read in time are dropped at its packet socket on the
# representor, where no interface counter sees them: stop ovs-vswitchd, send
# cam -> store (a miss: that rule is in OVS), and the drops are counted.
cam_drops() { local v; v=$(metric 'snoc_port_dropped_packets_total{direction="rx",nic="esw",port="esw0_vf0",workload="cam"} '); echo "${v%.*}"; }
drops_before=$(cam_drops)
kill -STOP "$(cat "$ovs/ovs-vswitchd.pid")"
ip netns exec cam python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    s.sendto(b"x" * 64, ("10.40.0.13", 9))'
sleep 0.2
kill -CONT "$(cat "$ovs/ovs-vswitchd.pid")"
wait_polls 2
drops_after=$(cam_drops)
check "2000 misses to a stopped OVS: those its socket dropped count on esw0_vf0 ($drops_before -> $drops_after)" \
  test "$((drops_after - drops_before))" -ge 1000 -a "$((drops_after - drops_before))" -le 2000
check "table occupancy 2 of 4096" sh -c "grep -q '^snoc_hw_table_rules{nic=\"esw\"} 2\$' $work/metrics && grep -q '^snoc_hw_table_capacity_rules{nic=\"esw\"} 4096\$' $work/metrics"

# --- SIGTERM, restart, adoption ---------------------------------------------------
kill -TERM "$daemon_pid"; wait "$daemon_pid"; rc=$?; daemon_pid=
check "SIGTERM: snoc run exits 0" test "$rc" -eq 0
check "the fast path keeps switching with no snoc running" ip netns exec cam ping -q -c 5 -i 0.01 -W 2 10.40.0.12
check "a restarted snoc run serves /metrics" start_daemon
wait_polls 1
check "the restarted daemon's apply changed nothing" sh -c "grep 'applied ' $work/daemon.log | tail -n 1 | grep -q ': 0 changes'"
kept=$(rule_packets cam-to-infer)
check "counters survived the restart, and the 5 pings without snoc were counted ($after -> $kept)" test "$((kept - after))" -eq 5
kill -TERM "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

# --- a VF's veth pair re-made --------------------------------------------------------
# Deleting the NIC-side end takes infer's eth0 along; the next apply makes the
# pair again (new ifindexes) and forgets the eSwitch's records of the old ones.
esw_ports() { bpftool -j map dump pinned "$pins/esw_ports" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
ip -n snoc-esw-esw link del vf1
"$snoc" apply "${ovsopts[@]}" -o json "$spec" >"$work/apply3.json"
check "apply re-makes VF 1's pair" jq_ok "$work/apply3.json" "d['ok'] and d['changes'] > 0"
check "both eSwitch rules are installed for the re-made port" jq_ok "$work/apply3.json" \
  "sorted(r['placement'] for r in d['rules']).count('hardware') == 2"
check "cam reaches the re-made VF" ip netns exec cam ping -q -c 5 -i 0.01 -W 2 10.40.0.12
check "the eSwitch records only the NIC's 8 ports, not the gone ifindex ($(esw_ports))" test "$(esw_ports)" -eq 8
check "still two rules in the table" sh -c \
  "[ \"\$(bpftool -j map dump pinned $pins/esw_rules | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" -eq 2 ]"

# --- down ---------------------------------------------------------------------------
check "snoc down removes the emulated NIC" "$snoc" down "$spec"
check "no eSwitch namespace, no pins, no representor left" sh -c \
  "! ip netns list | grep -q 'snoc-' && ! test -e $pins && ! ip link show esw0_vf0 2>/dev/null"
check "the VF netdevs left the containers with it" sh -c "! ip netns exec cam ip link show eth0 2>/dev/null"
check "a second snoc down has nothing to do" sh -c "\"$snoc\" down \"$spec\" | grep -q 'nothing to remove'"

echo "host-emulated: $((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
