#!/usr/bin/env bash
# Proves the README on a fresh Debian 12 machine: makes a minimal root
# (debootstrap --variant=minbase; only that base is cached, one a day), puts
# a clean clone of this repository's HEAD into it and runs the README's two
# set-up commands there with nothing installed by hand. Then it packages snoc
# in that root, installs the amd64 package into a second fresh root (so the
# package's own Depends must pull what it needs), checks the installed snoc
# and its systemd unit, and builds and runs the container image from it.
#
# Usage: scripts/fresh-check.sh [--stages "native"] [--no-package] [--keep]
#   --stages S    what the README's test command runs in the fresh root
#                 (default "native": the unit suite, real-OVS and emulated
#                 eSwitch tests; "" runs every stage but this one, which
#                 would nest)
#   --no-package  stop after the README's two commands
#   --deb FILE    check this amd64 package only (install, unit, image): no
#                 README commands, no packaging in the root
#   --keep        keep the roots (default: removed)
# Exit status: 0 when everything passed; 1 naming the step that failed.
# Runs as root (chroot, mounts). See docs/test-tiers.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/scripts/lib/apt.sh"
. "$repo/scripts/lib/debian-root.sh"

stages=native
package=1
keep=0
given_deb=
while [ $# -gt 0 ]; do
  case "$1" in
    --stages) stages=$2; shift 2 ;;
    --no-package) package=0; shift ;;
    --deb) given_deb=$(realpath "$2"); shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "fresh-check: needs root (chroot and mounts)" >&2; exit 2; }
[ -n "$stages" ] || stages="native asan fuzz arm64 vm"

now() { date +%s; }
declare -a figures=()
step() { printf '\n=== fresh-check: %s\n' "$*"; }
fail() { echo "fresh-check: FAILED: $*" >&2; exit 1; }

# The README's two set-up commands: the two one-line sh blocks of "## Try it",
# read from the README itself so that this checks what a reader runs.
mapfile -t readme_cmds < <(awk '
  /^## / { in_try = ($0 == "## Try it") }
  in_try && /^```sh$/ { code = 1; next }
  code && /^```$/ { code = 0; next }
  in_try && code { print }' "$repo/README.md")
[ "${#readme_cmds[@]}" -eq 2 ] ||
  fail "README.md's \"## Try it\" must hold exactly two one-line sh blocks (the demo and the test command); found ${#readme_cmds[@]}: ${readme_cmds[*]}"
demo_cmd=${readme_cmds[0]}
test_cmd=${readme_cmds[1]}
[[ "$test_cmd" == *test* ]] || fail "the README's second command should run the tests: '$test_cmd'"

work=$(mktemp -d /var/tmp/snoc-fresh.XXXXXX)
cleanup() {
  local rc=$?
  if [ "$keep" -eq 1 ]; then echo "fresh-check: roots kept in $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT

t=$(now)
step "Debian 12 minbase root"
base=$(debian_base_tarball amd64) || fail "no debootstrap base"
commit=$(git -C "$repo" rev-parse --short HEAD)
if [ -z "$given_deb" ]; then
  root=$work/build-root
  debian_root_unpack "$base" "$root"
  git clone -q --no-local "$repo" "$root/src/snoc"
  if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "fresh-check: note: the work tree has uncommitted changes; the fresh root gets HEAD ($commit) only"
fi
figures+=("root ready: $(($(now) - t)) s")

t=$(now)
step "README command 1 in the fresh root: $demo_cmd"
debian_root_run "$root" bash -c "cd /src/snoc && $demo_cmd" || fail "the README's demo command '$demo_cmd' failed in a fresh Debian 12 root"
figures+=("demo command ($demo_cmd, installs and builds included): $(($(now) - t)) s")

t=$(now)
step "README command 2 in the fresh root: $test_cmd ${stages}"
# shellcheck disable=SC2086  # the stage list is words
debian_root_run "$root" bash -c "cd /src/snoc && $test_cmd $stages" ||
  fail "the README's test command '$test_cmd $stages' failed in a fresh Debian 12 root"
figures+=("test command ($test_cmd ${stages:-(all stages)}): $(($(now) - t)) s")

fi

if [ "$package" -eq 1 ] && [ -z "$given_deb" ]; then
  t=$(now)
  step "package snoc in the fresh root (scripts/package.sh build)"
  debian_root_run "$root" bash -c "cd /src/snoc && bash scripts/package.sh build dist" ||
    fail "scripts/package.sh failed in the fresh root"
  deb=$(ls "$root"/src/snoc/dist/snoc_*_amd64.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || fail "scripts/package.sh made no snoc_*_amd64.deb"
  cp "$deb" "$work/"
  deb=$work/$(basename "$deb")
  figures+=("package: $(($(now) - t)) s")
elif [ -n "$given_deb" ]; then
  [ -f "$given_deb" ] || fail "no such package: $given_deb"
  cp "$given_deb" "$work/"
  deb=$work/$(basename "$given_deb")
fi

if [ "$package" -eq 1 ]; then
  t=$(now)
  step "install $(basename "$deb") into a second fresh root"
  check=$work/package-root
  debian_root_unpack "$base" "$check"
  debian_root_install_deb "$check" "$deb" || fail "apt could not install $(basename "$deb") in a fresh root"
  debian_root_run "$check" bash -euc '
    echo "+ snoc --version"; snoc --version
    echo "+ snoc validate /etc/snoc/edge.yaml"; snoc validate /etc/snoc/edge.yaml
    echo "+ snoc profiles"; snoc profiles | head -n 4
    test -f /usr/share/man/man8/snoc.8.gz || { echo "no man page snoc(8)"; exit 1; }
    test -f /usr/share/bash-completion/completions/snoc || { echo "no bash completion"; exit 1; }
    dpkg-query -W -f="\${Conffiles}\n" snoc | grep -q /etc/snoc/edge.yaml || { echo "/etc/snoc/edge.yaml is not a conffile"; exit 1; }
    ' || fail "the amd64 package does not work in a fresh root"
  figures+=("package installed and checked: $(($(now) - t)) s")

  t=$(now)
  step "systemd-analyze verify on the packaged unit"
  debian_root_run "$check" bash -euc '
    # man-db too: verify runs `man snoc(8)` for the Documentation= line.
    apt-get install -y -q --no-install-recommends systemd man-db >/dev/null
    man -w snoc
    systemd-analyze verify /lib/systemd/system/snoc.service
    echo "systemd-analyze verify: clean"' || fail "systemd-analyze verify found problems in the packaged unit"
  figures+=("unit verified: $(($(now) - t)) s")

  t=$(now)
  step "container image from the package"
  bash "$repo/scripts/build-image.sh" --deb "$deb" --tag "snoc:fresh-check" || fail "the container image did not build"
  bash "$repo/tests/image/run-image.sh" "snoc:fresh-check" || fail "the container image does not run snoc"
  podman rmi -f snoc:fresh-check >/dev/null 2>&1 || true
  figures+=("image built and run: $(($(now) - t)) s")
fi

step "passed (commit $commit)"
printf '  %s\n' "${figures[@]}"
