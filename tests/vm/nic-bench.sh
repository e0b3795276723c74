#!/usr/bin/env bash
# Guest script: the NIC bring-up benchmark — 64 VFs on netdevsim (with the test
# patch's devlink port function, so VF MACs go the switchdev way) and 64
# containers on veth stand-ins, cold and warm; prints seconds and writes.
#   tests/vm/run.sh tests/vm/nic-bench.sh [BUILD_DIR] [VFS]
set -euo pipefail
. "$SNOC_VM_LIB"
build=${1:-build}
vm_netdevsim_load devlink_port_fn=1
"$build/benchmarks/snoc_bench_nic" "${2:-64}"
