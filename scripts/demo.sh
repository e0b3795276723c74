#!/usr/bin/env bash
# The main job on the built-in default: build snoc, validate every example
# deployment and print the plan for the Arm edge server example (NIC steps,
# OVS state, OpenFlow flows and each rule's offload verdict with reasons).
# Usage: scripts/demo.sh [SPEC]   (default: configs/arm-edge-8.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-configs/arm-edge-8.yaml}

bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSNOC_BUILD_TESTS=OFF >/dev/null
cmake --build build --target snoc >/dev/null

for f in configs/*.yaml; do
  ./build/controller/snoc validate "$f"
done
echo
./build/controller/snoc plan "$spec"
