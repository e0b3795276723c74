#!/usr/bin/env bash
# Host end-to-end test of `snoc apply` and `snoc run` against real OVS
# daemons (userspace datapath) and real traffic between two containers
# (network namespaces on veths), in a private network namespace:
#   apply twice (the second changes nothing), the daemon's /status and
#   /metrics after traffic, drift repair of a deleted flow, a bad reload
#   that keeps the running state, SIGTERM leaving the data plane, and a
#   restart that adopts instead of duplicating.
# Usage: tests/e2e/host-daemon.sh BUILD_DIR   (root; re-executes itself under unshare --net)
set -uo pipefail
build=$(cd "${1:-build}" && pwd)
snoc="$build/controller/snoc"
[ -x "$snoc" ] || { echo "host-daemon: $snoc not built"; exit 1; }
if [ -z "${SNOC_E2E_INNER:-}" ]; then
  SNOC_E2E_INNER=1 exec unshare --net bash "$0" "$build"
fi

work=$(mktemp -d /tmp/snoc-e2e.XXXXXX)
ovs="$work/ovs"
mkdir -p "$ovs"
export OVS_RUNDIR=$ovs OVS_LOGDIR=$ovs OVS_DBDIR=$ovs
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/private-ovs.sh"
failures=0 checks=0
check() { # NAME COMMAND...: passes when the command succeeds
  local name=$1; shift
  checks=$((checks + 1))
  if "$@" >"$work/out" 2>&1; then echo "ok   $name"; else failures=$((failures + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/out" | tail -20; fi
}
contains() { grep -Eq -- "$1" "$2"; }
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null
  private_ovs_stop "$ovs"
  ip netns del web 2>/dev/null; ip netns del api 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ip link set lo up
private_ovs_start "$ovs" || { echo "host-daemon: cannot start Open vSwitch"; exit 1; }

spec="$work/edge.yaml"
cat >"$spec" <<'YAML'
ovs:
  bridge: br-e2e
  datapath_type: netdev
  hw_offload: false
workloads:
  - {name: web, attach: veth, ip: 10.77.0.2/24}
  - {name: api, attach: veth, ip: 10.77.0.3/24}
meters:
  - {id: 1, rate_kbps: 100000, burst_kb: 1000}
policies:
  - name: web-to-api
    rule: "priority=100,in_port=web,ip,nw_dst=10.77.0.3 actions=meter:1,output:api"
  - name: api-to-web
    rule: "priority=100,in_port=api,ip,nw_dst=10.77.0.2 actions=output:web"
  - name: arp
    rule: "priority=50,arp actions=NORMAL"
monitoring:
  listen: 127.0.0.1:19469
  poll_interval: 500ms
YAML
ovsopts=(--ovsdb "$ovs/db.sock" --ovs-rundir "$ovs")
flows() { ovs-ofctl -O OpenFlow13 dump-flows "unix:$ovs/br-e2e.mgmt" "cookie=0x5c0c000000000000/0xffff000000000000"; }

check "apply succeeds" "$snoc" apply "${ovsopts[@]}" "$spec"
check "ports are on the bridge, marked as snoc's" sh -c \
  "ovs-vsctl --db=unix:$ovs/db.sock get Interface v-web external_ids | grep -q 'snoc-owner=snoc'"
check "three policy flows with snoc's cookie" sh -c "[ \$(ovs-ofctl -O OpenFlow13 dump-flows unix:$ovs/br-e2e.mgmt cookie=0x5c0c000000000000/0xffff000000000000 | grep -c cookie=) -eq 3 ]"
check "meter 1 exists" sh -c "ovs-ofctl -O OpenFlow13 dump-meters unix:$ovs/br-e2e.mgmt | grep -q 'meter=1'"
"$snoc" apply "${ovsopts[@]}" "$spec" -o json >"$work/second.json"
check "second apply changes nothing" python3 -c "import json,sys; d=json.load(open('$work/second.json')); sys.exit(0 if d['ok'] and d['changes']==0 else 1)"

for n in web api; do ip netns exec $n ethtool -K eth0 tx off >/dev/null; ethtool -K v-$n tx off >/dev/null; done
check "containers reach each other through OVS" ip netns exec web ping -c 3 -i 0.2 -W 2 10.77.0.3

"$snoc" run "${ovsopts[@]}" --repair-interval 2 "$spec" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_for() { local i; for i in $(seq 1 50); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
check "daemon serves /status" wait_for curl -sf 127.0.0.1:19469/status
ip netns exec web ping -c 20 -i 0.05 -W 2 10.77.0.3 >/dev/null
sleep 1.5
"$snoc" flows --listen 127.0.0.1:19469 -o json >"$work/flows.json"
check "ICMP between the containers ran in OVS software and was counted" python3 - "$work/flows.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
icmp = [f for f in d["flows"] if "icmp" in f["match"] and f["port"] == "v-web"]
assert icmp, "no ICMP datapath flow from v-web"
assert all(f["placement"] == "ovs" for f in icmp), icmp
assert sum(f["packets"] for f in icmp) >= 20, icmp
assert any("port-not-on-eswitch" in json.dumps(f) for f in icmp), "no reason given"
PY
check "snoc flows filters by workload" sh -c "\"$snoc\" flows --listen 127.0.0.1:19469 --workload api -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"flows\"] and all(f[\"workload\"]==\"api\" for f in d[\"flows\"]) else 1)'"
curl -sf 127.0.0.1:19469/metrics >"$work/metrics"
check "metrics count OVS packets per workload" contains '^snoc_packets_total\{.*placement="ovs".*workload="web"\} [1-9]' "$work/metrics"
check "metrics give the hit rate (0 without hardware)" contains '^snoc_offload_cumulative_hit_ratio\{name="web",scope="workload"\} 0' "$work/metrics"
check "snoc status shows the workloads" sh -c "\"$snoc\" status --listen 127.0.0.1:19469 | grep -E '^ +web +0 +0 +[1-9]'"

# Drift: someone deletes one of snoc's flows; the next repair puts it back.
# The repair runs every 2 s, so it may already have put the flow back when
# the count is read: then the repair counter has moved since the delete.
repairs() { curl -sf 127.0.0.1:19469/metrics | sed -n 's/^snoc_repairs_total{kind="flow-drift"} //p'; }
repairs_before=$(repairs)
ovs-ofctl -O OpenFlow13 del-flows "unix:$ovs/br-e2e.mgmt" "cookie=$(flows | grep -o 'cookie=0x[0-9a-f]*' | head -1 | cut -d= -f2)/-1"
check "the deleted flow is gone (or already repaired)" sh -c "[ \$(ovs-ofctl -O OpenFlow13 dump-flows unix:$ovs/br-e2e.mgmt cookie=0x5c0c000000000000/0xffff000000000000 | grep -c cookie=) -eq 2 ] || [ \"\$(curl -sf 127.0.0.1:19469/metrics | sed -n 's/^snoc_repairs_total{kind=\"flow-drift\"} //p')\" != '$repairs_before' ]"
check "drift repair restores it" wait_for sh -c "[ \$(ovs-ofctl -O OpenFlow13 dump-flows unix:$ovs/br-e2e.mgmt cookie=0x5c0c000000000000/0xffff000000000000 | grep -c cookie=) -eq 3 ]"
check "the repair is counted" wait_for sh -c "curl -sf 127.0.0.1:19469/metrics | grep -Eq '^snoc_repairs_total\{kind=\"flow-drift\"\} [1-9]'"

# A broken file on reload keeps the running state.
cp "$spec" "$work/good.yaml"
echo "policies: [{rule: \"in_port=nosuch actions=drop\"}]" >>"$spec"
kill -HUP "$daemon_pid"
check "a bad reload is counted" wait_for sh -c "curl -sf 127.0.0.1:19469/metrics | grep -Eq '^snoc_config_reload_failures_total 1'"
check "and the daemon keeps running" kill -0 "$daemon_pid"
cp "$work/good.yaml" "$spec"

kill -TERM "$daemon_pid"
wait "$daemon_pid"; rc=$?
daemon_pid=
check "SIGTERM exits 0" test "$rc" -eq 0
check "the data plane stays after exit" sh -c "[ \$(ovs-ofctl -O OpenFlow13 dump-flows unix:$ovs/br-e2e.mgmt cookie=0x5c0c000000000000/0xffff000000000000 | grep -c cookie=) -eq 3 ]"
"$snoc" apply "${ovsopts[@]}" "$spec" -o json >"$work/adopt.json"
check "a restarted snoc adopts everything (no change)" python3 -c "import json,sys; d=json.load(open('$work/adopt.json')); sys.exit(0 if d['ok'] and d['changes']==0 else 1)"

echo "host-daemon: $((checks - failures))/$checks checks passed"
[ "$failures" -eq 0 ]
