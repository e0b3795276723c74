#!/usr/bin/env bash
# Guest script: the rte_flow backend on a real PMD. net_tap implements
# rte_flow with kernel tc flower filters (on a multiq root qdisc of its tap
# netdev), which only the VM's kernel has; then the install / remove
# benchmark beside the tc backend on the same rules in the same boot.
#   tests/vm/run.sh tests/vm/rte-flow.sh [BUILD_DIR] [RULES]
set -uo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
rules=${2:-2000}
bin="$build/tests/rte_flow/snoc_rte_flow_tests"
bench="$build/benchmarks/snoc_bench_rte_flow"
if [ ! -x "$bin" ]; then
  echo "rte-flow: $bin not built (needs libdpdk-dev: scripts/install-deps.sh)"
  exit 1
fi
# net_tap asks for these; the guest loads nothing on demand it was not told of.
mods=(tun sch_multiq sch_ingress cls_flower act_gact act_skbedit act_mirred act_bpf cls_bpf)
vm_check "modprobe ${mods[*]}" modprobe -a "${mods[@]}"
vm_check "net_tap rules: create, steer, drop, resync, errors, read, teardown" \
  env SNOC_RTE_NET_TAP=1 "$bin" --gtest_filter='NetTap*' --gtest_brief=1
vm_check "rendering and structure tests in the guest too" "$bin" --gtest_filter='-NetTap*' --gtest_brief=1
if [ -x "$bench" ]; then
  # The figures are the point: print them whatever happens.
  out=$("$bench" "$rules" 2>&1)
  rc=$?
  printf '%s\n' "$out" | sed 's/^/    /'
  vm_check "rte_flow vs tc backend benchmark ($rules rules)" test "$rc" -eq 0
fi
vm_summary
