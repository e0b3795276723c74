#!/usr/bin/env bash
# The main job on the built-in default: snoc on an edge server with an
# emulated SmartNIC (the eBPF eSwitch, docs/emulated-eswitch.md), natively,
# with real packets and no hardware:
#   1. builds snoc and starts a private Open vSwitch (userspace datapath)
#      in a private network namespace, so the host's network is untouched;
#   2. `snoc apply configs/emulated-edge.yaml`: the emulated NIC (eSwitch
#      namespace, VFs, representors, uplink), three containers on the VFs,
#      the OVS bridge and ports, policy flows, and the rules the eSwitch can
#      run in its table;
#   3. `snoc run` serves /metrics and /status while ping and iperf3 run
#      cam -> infer (rules in the eSwitch: the fast path) and cam -> store
#      (a DSCP rewrite the eSwitch cannot do: OVS in software);
#   4. prints what an operator wants to see: each rule's placement and why,
#      the offload hit rate, and throughput and latency of the offloaded path
#      against the software path;
#   5. `snoc down` and OVS shut down: nothing is left behind (checked).
# Usage: scripts/demo.sh [BUILD_DIR]   (root, or sudo; default build dir: build)
# Exit status: 0 when the demo ran and cleaned up; non-zero with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
build=${1:-build}
spec=configs/emulated-edge.yaml

if [ -z "${SNOC_DEMO_INNER:-}" ]; then
  [ "$(id -u)" -eq 0 ] || exec sudo -E bash "$0" "$@"
  bash scripts/install-deps.sh >/dev/null
  bash scripts/install-ovs.sh >/dev/null
  # An existing build directory keeps its configuration; only snoc is needed.
  if [ ! -f "$build/build.ninja" ] && [ ! -f "$build/Makefile" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  echo "demo: building snoc ..."
  cmake --build "$build" --target snoc -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
  # A network namespace of its own: OVS, the representors and the uplink
  # live there; the host's interfaces never change.
  SNOC_DEMO_INNER=1 exec unshare --net bash "$0" "$build"
fi

build=$(cd "$build" && pwd)
snoc="$build/controller/snoc"
work=$(mktemp -d /tmp/snoc-demo.XXXXXX)
ovs=$work/ovs
mkdir -p "$ovs"
export OVS_RUNDIR=$ovs OVS_LOGDIR=$ovs OVS_DBDIR=$ovs
ovsopts=(--ovsdb "$ovs/db.sock" --ovs-rundir "$ovs")
. "$repo/scripts/lib/private-ovs.sh"
listen=127.0.0.1:9470
daemon_pid=

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
cleanup() {
  local rc=$?
  set +e   # best effort from here: everything that is left goes
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  "$snoc" down "$repo/$spec" >/dev/null 2>&1
  private_ovs_stop "$ovs"
  for ns in cam infer store; do ip netns del "$ns" 2>/dev/null; done
  [ -n "${SNOC_DEMO_KEEP:-}" ] && echo "demo: files kept in $work" || rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

ip link set lo up
# userspace-tso-enable (read once at start-up): OVS takes the containers'
# TSO super-packets and unfinished checksums from the representors' packet
# sockets (virtio-net headers) instead of forwarding broken segments. The
# spec says the same.
private_ovs_start "$ovs" userspace-tso-enable=true

say "snoc apply $spec"
"$snoc" apply "${ovsopts[@]}" "$repo/$spec"
"$snoc" apply "${ovsopts[@]}" -o json "$repo/$spec" >"$work/apply.json"

say "snoc run (background) and traffic"
"$snoc" run "${ovsopts[@]}" --repair-interval 10 "$repo/$spec" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
metric() { curl -sf "http://$listen/metrics" | awk -v m="$1" 'index($0, m) == 1 {print $NF; exit}'; }
polls() { local p; p=$(metric 'snoc_polls_total '); echo "${p%.*}"; }
for _ in $(seq 50); do [ "$(polls)" -gt 0 ] 2>/dev/null && break; sleep 0.2; done
[ "$(polls)" -gt 0 ] 2>/dev/null || { echo "demo: snoc run did not start"; cat "$work/daemon.log"; exit 1; }

latency() { # FROM DST: average ping RTT in ms
  ip netns exec "$1" ping -q -c 20 -i 0.05 "$2" | awk -F/ '/^rtt/ {print $5}'
}
throughput() { # FROM DST PORT: iperf3 TCP receiver rate, 3 s
  ip netns exec "$(ns_of "$2")" iperf3 -s -1 -p "$3" >/dev/null 2>&1 &
  local srv=$!
  for _ in $(seq 50); do ip netns exec "$(ns_of "$2")" ss -ltn | grep -q ":$3 " && break; sleep 0.1; done
  ip netns exec "$1" iperf3 -c "$2" -p "$3" -t 3 -f g 2>&1 | awk '/receiver/ {print $(NF-2), $(NF-1)}'
  wait "$srv" 2>/dev/null
}
ns_of() { case "$1" in 10.40.0.11) echo cam ;; 10.40.0.12) echo infer ;; 10.40.0.13) echo store ;; esac; }

ip netns exec cam ping -q -c 2 -W 2 10.40.0.12 >/dev/null || true   # ARP through OVS first
ip netns exec cam ping -q -c 2 -W 2 10.40.0.13 >/dev/null || true
hw_rtt=$(latency cam 10.40.0.12)
sw_rtt=$(latency cam 10.40.0.13)
echo "ping cam -> infer (eSwitch): ${hw_rtt:-?} ms; cam -> store (OVS): ${sw_rtt:-?} ms"
hw_rate=$(throughput cam 10.40.0.12 5201)
echo "iperf3 cam -> infer (eSwitch): ${hw_rate:-failed}"
sw_rate=$(throughput cam 10.40.0.13 5202)
echo "iperf3 cam -> store (OVS): ${sw_rate:-failed}"
# Two polls after the traffic, so every counter is in.
p=$(polls); for _ in $(seq 50); do [ "$(polls)" -gt $((p + 1)) ] && break; sleep 0.2; done

say "snoc status"
"$snoc" status --listen "$listen"
say "snoc flows"
"$snoc" flows --listen "$listen"
curl -sf "http://$listen/metrics" >"$work/metrics"

say "summary"
hit=$(awk '/^snoc_offload_cumulative_hit_ratio\{name="all",scope="all"\}/ {print $NF}' "$work/metrics")
python3 - "$work/apply.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"{'RULE':14} {'PLACEMENT':12} {'PORT':10} WHY NOT IN THE eSWITCH")
for r in report["rules"]:
    print(f"{r['rule']:14} {r['placement']:12} {r.get('port', ''):10} {'; '.join(r.get('reasons', []))}")
PY
echo
echo "offload hit rate (packets switched by the eSwitch / all packets): $(awk -v r="${hit:-}" 'BEGIN { if (r == "") print "-"; else printf "%.1f%%", r * 100 }')"
echo "offloaded path (cam -> infer): ${hw_rate:-failed}, ping ${hw_rtt:-?} ms"
echo "software path  (cam -> store): ${sw_rate:-failed}, ping ${sw_rtt:-?} ms"
echo "metrics: curl http://$listen/metrics (while it runs); daemon log: $work/daemon.log"

say "clean up"
kill -TERM "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || echo "demo: snoc run exited with status $? on SIGTERM"
daemon_pid=
"$snoc" down "$repo/$spec"
for ns in cam infer store; do ip netns del "$ns" 2>/dev/null || true; done
left=$(ip netns list | grep -cE '^(snoc-esw-esw|snoc-wire-esw|cam|infer|store)( |$)' || true)
pins=$( (ls -A /run/snoc/esw/esw 2>/dev/null || true) | wc -l)
echo "left behind: $left namespaces, $pins pinned objects"
[ "$left" -eq 0 ] && [ "$pins" -eq 0 ]
