#!/usr/bin/env bash
# Cross-builds snoc for aarch64 and runs the test suite under qemu user emulation.
# Usage: scripts/build-arm64.sh [BUILD_DIR] [extra cmake -D args...]
#   BUILD_DIR defaults to build-arm64 (relative to the current directory).
# Environment:
#   SNOC_ARM64_SKIP_INSTALL=1   don't run scripts/install-arm64-deps.sh
#   SNOC_ARM64_BENCHMARKS=ON    also build the benchmarks (default OFF: slow under qemu)
#   SNOC_QEMU_CPU=max           CPU model qemu emulates (default: the toolchain's cortex-a72)
#   CTEST_PARALLEL_LEVEL=N      parallel tests (default: nproc)
# See docs/arm64.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-build-arm64}
[ $# -gt 0 ] && shift
toolchain="$repo/cmake/toolchains/aarch64-linux-gnu.cmake"
jobs=$(nproc 2>/dev/null || echo 2)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
step() { echo "== build-arm64: $*"; }

if [ "${SNOC_ARM64_SKIP_INSTALL:-0}" != 1 ]; then
  t=$(now)
  bash "$repo/scripts/install-arm64-deps.sh"
  step "deps ready in $(elapsed "$t") s"
fi

# An existing build dir keeps the tool chain it was configured with: refuse a
# native (or other) one rather than silently building for the wrong CPU.
if [ -f "$build_dir/CMakeCache.txt" ] &&
   ! grep -qx "CMAKE_TOOLCHAIN_FILE:[A-Z]*=$toolchain" "$build_dir/CMakeCache.txt"; then
  echo "build-arm64: $build_dir was configured without $toolchain; remove it or pick another dir" >&2
  exit 1
fi

generator=()
if command -v ninja >/dev/null 2>&1 && [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=(-G Ninja)
fi
qemu_cpu=()
if [ -n "${SNOC_QEMU_CPU+x}" ]; then
  qemu_cpu=("-DSNOC_QEMU_CPU=$SNOC_QEMU_CPU")
fi

t=$(now)
step "configuring $build_dir"
cmake -S "$repo" -B "$build_dir" "${generator[@]}" \
  -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSNOC_BUILD_TESTS=ON \
  -DSNOC_BUILD_BENCHMARKS="${SNOC_ARM64_BENCHMARKS:-OFF}" \
  -DSNOC_FUZZ=OFF \
  "${qemu_cpu[@]}" "$@"

# Nothing of the host may leak into an arm64 build: no x86_64 library paths and
# no x86-only code generation flags (e.g. DPDK's amd64 libdpdk.pc adds -march=corei7).
cache="$build_dir/CMakeCache.txt"
build_files=("$cache")
for f in build.ninja compile_commands.json; do
  [ -f "$build_dir/$f" ] && build_files+=("$build_dir/$f")
done
if leaks=$(grep -HnE '/x86_64-linux-gnu/|-m(arch|tune)=(corei7|x86-64|haswell|skylake|native)|-m(sse|avx|popcnt)' \
             "${build_files[@]}" | grep -v '^[^:]*:[0-9]*://' | head -20) && [ -n "$leaks" ]; then
  echo "build-arm64: host (x86_64) paths or flags in the arm64 build:" >&2
  echo "$leaks" >&2
  exit 1
fi
step "configured in $(elapsed "$t") s"

t=$(now)
cmake --build "$build_dir" -j "$jobs"
step "built in $(elapsed "$t") s"

# Every executable we built must be an aarch64 ELF, the snoc binary above all.
snoc_bin=$(find "$build_dir" -type f -name snoc -perm -u+x -not -path '*/CMakeFiles/*' | head -n1)
if [ -z "$snoc_bin" ]; then
  echo "build-arm64: no snoc binary under $build_dir" >&2
  exit 1
fi
file "$snoc_bin"
bad=0
while IFS= read -r -d '' exe; do
  desc=$(file -b "$exe")
  case "$desc" in
    ELF*"ARM aarch64"*) ;;
    ELF*) echo "build-arm64: not an aarch64 binary: $exe: $desc" >&2; bad=1 ;;
    *) ;;  # scripts etc.
  esac
done < <(find "$build_dir" -type f -perm -u+x -not -path '*/CMakeFiles/*' -print0)
[ "$bad" -eq 0 ] || exit 1

t=$(now)
step "running the tests (target binaries run through CMAKE_CROSSCOMPILING_EMULATOR, qemu-aarch64-static)"
# --no-tests=error: an arm64 run that registered no test must fail, not pass.
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error \
  -j "${CTEST_PARALLEL_LEVEL:-$jobs}" --timeout "${SNOC_ARM64_TEST_TIMEOUT:-600}"
step "tests passed in $(elapsed "$t") s"
