#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this):
#   1. native build (warnings are errors) + ctest
#   2. ASan + UBSan build + ctest
#   3. libFuzzer targets built with clang, each run briefly on its seed corpus
#   4. aarch64 cross build + ctest under qemu (scripts/build-arm64.sh), then
#      the arm64 Debian package (scripts/package.sh)
#   5. VM tier: a stock Debian 6.1 kernel under qemu runs the kernel-facing tests
#      (tests/vm/: smoke, tc engine on veths and netdevsim) and the tc benchmark
#   6. fresh root: the README's two commands on a debootstrap minbase Debian 12
#      (the test command with the native stage), then the amd64 package, its
#      unit and the container image there (scripts/fresh-check.sh)
# Usage: scripts/test.sh [stage...]   stages: native asan fuzz arm64 vm fresh (default: all)
# Environment: SNOC_FUZZ_SECONDS (default 30) per fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(native asan fuzz arm64 vm fresh)
jobs=$(nproc 2>/dev/null || echo 2)
export CTEST_PARALLEL_LEVEL=$jobs

now() { date +%s; }
declare -a timings=()
run_stage() {
  local name=$1
  shift
  local t
  t=$(now)
  echo "=== test.sh: stage $name"
  "$@"
  timings+=("$name: $(($(now) - t)) s")
}

stage_native() {
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cmake --build build -j "$jobs"
  ctest --test-dir build --output-on-failure
  # snoc apply / run end to end against real OVS daemons and real traffic (~15 s).
  bash tests/e2e/host-daemon.sh build
  # The same on the emulated eBPF eSwitch: the demo's deployment, adoption, snoc down (~20 s).
  bash tests/e2e/host-emulated.sh build
  # OVS benchmarks (docs/benchmarks.md): they print figures, they never fail
  # on speed; ~15 s. The OpenFlow one runs its own private ovs-vswitchd.
  ./build/benchmarks/snoc_bench_ovs_dpflow 200000
  ./build/benchmarks/snoc_bench_ovs_openflow 10000 3
}

stage_asan() {
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSNOC_SANITIZE=address,undefined
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure
}

stage_fuzz() {
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DSNOC_FUZZ=ON -DSNOC_BUILD_TESTS=OFF -DSNOC_SANITIZE=address,undefined
  cmake --build build-fuzz -j "$jobs"
  local seconds=${SNOC_FUZZ_SECONDS:-30}
  local work
  work=$(mktemp -d)
  # The first corpus directory is where libFuzzer writes new inputs; the seeds stay read-only.
  # Its progress lines go to a log; on a failure the log's tail is shown.
  fuzz_one() {
    local target=$1
    shift
    mkdir -p "$work/$target"
    if ! "./build-fuzz/tests/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$target-" "$work/$target" "$@" >"$work/$target.log" 2>&1; then
      tail -n 60 "$work/$target.log"
      echo "test.sh: $target failed; the input that broke it is in $work" >&2
      return 1
    fi
    echo "  $target: $(grep -E '^Done' "$work/$target.log")"
  }
  fuzz_one fuzz_policy_syntax "$repo/tests/fuzz/corpus/policy_syntax"
  fuzz_one fuzz_spec_loader "$repo/configs" "$repo/tests/data/bad-specs"
  fuzz_one fuzz_dpflow_parse "$repo/tests/fuzz/corpus/dpflow_parse"
  rm -rf "$work"
}

stage_arm64() {
  bash scripts/build-arm64.sh build-arm64
  # The arm64 Debian package from the same build; package.sh runs its
  # binary under qemu-aarch64-static and lintian on it.
  bash scripts/package.sh build-arm64 dist
}

stage_vm() {
  # The guest runs binaries from the native build (the host root is its root).
  [ -x build/tests/snoc_kernel_tests ] || stage_native
  bash tests/vm/setup.sh
  bash tests/vm/run.sh --mem 4096 --timeout 1500 tests/vm/smoke.sh :: tests/vm/kernel-suite.sh build \
    :: tests/vm/bench.sh build "${SNOC_BENCH_RULES:-100000}" :: tests/vm/ovs-kernel.sh build \
    :: tests/vm/nic-bench.sh build 64 :: tests/vm/e2e-edge.sh build \
    :: tests/vm/rte-flow.sh build "${SNOC_RTE_BENCH_RULES:-5000}" :: tests/vm/ovs-dpdk.sh build
}

stage_fresh() {
  # Inside the fresh root the README's test command runs the native stage
  # only (SNOC_FRESH_STAGES widens it); the other stages run here.
  bash scripts/fresh-check.sh --stages "${SNOC_FRESH_STAGES:-native}"
}

for s in "${stages[@]}"; do
  case "$s" in
    native|asan|fuzz|arm64|vm|fresh) ;;
    *) echo "test.sh: unknown stage '$s' (native asan fuzz arm64 vm fresh)" >&2; exit 2 ;;
  esac
done

run_stage deps bash scripts/install-deps.sh
run_stage ovs-deps bash scripts/install-ovs.sh
for s in "${stages[@]}"; do
  run_stage "$s" "stage_$s"
done
echo "=== test.sh: all stages passed"
printf '  %s\n' "${timings[@]}"
