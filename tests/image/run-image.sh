#!/usr/bin/env bash
# Runs snoc's container image with podman as a node agent's tooling would,
# and checks what comes out: the version line, a valid spec baked into the
# image, a spec mounted from the host, and a broken one refused with its
# location and exit code 1.
# Usage: tests/image/run-image.sh IMAGE
# podman 4.3 on this host needs runc (crun fails on hybrid cgroups) and
# explicit ulimits (no CAP_SYS_RESOURCE); see docs/packaging.md.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
image=${1:?usage: run-image.sh IMAGE}
run=(podman run --rm --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --network none)
pass=0 failed=0
check() { # NAME EXPECTED-RC REGEX -- podman args...
  local name=$1 want_rc=$2 regex=$3 out rc
  shift 4
  out=$("${run[@]}" "$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want_rc" ] && grep -qE -- "$regex" <<<"$out"; then
    pass=$((pass + 1)); echo "ok: $name"
  else
    failed=$((failed + 1)); echo "FAIL: $name (exit $rc, wanted $want_rc and /$regex/):"; sed 's/^/    /' <<<"$out"
  fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'version: 1\nnics:\n  - name: eth0\n    profile: no-such-profile\n' >"$tmp/broken.yaml"

check "--version names version and commit" 0 '^snoc [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{7,}(-dirty)?|unknown)\)' -- "$image" --version
check "the packaged example spec is valid" 0 '/etc/snoc/edge.yaml: valid' -- "$image" validate /etc/snoc/edge.yaml
check "the built-in profiles are there" 0 'connectx-6dx' -- "$image" profiles
check "a spec mounted from the host validates" 0 '/spec/minimal.yaml: valid' \
  -- -v "$repo/configs/minimal.yaml:/spec/minimal.yaml:ro" "$image" validate /spec/minimal.yaml
check "a broken spec is refused with its location, exit 1" 1 '/spec/broken.yaml:[0-9]+:[0-9]+' \
  -- -v "$tmp/broken.yaml:/spec/broken.yaml:ro" "$image" validate /spec/broken.yaml
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
