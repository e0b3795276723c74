#!/usr/bin/env bash
# Guest script: the tc-flower benchmark (snoc's engine vs tc -batch, same boot).
#   tests/vm/run.sh tests/vm/bench.sh [BUILD_DIR] [RULES]
set -euo pipefail
build=${1:-build}
"$build/benchmarks/snoc_bench_tc" "${2:-100000}"
