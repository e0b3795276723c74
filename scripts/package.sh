#!/usr/bin/env bash
# Makes the Debian package snoc_<version>_<arch>.deb from a build directory with
# CPack's DEB generator, checks it and runs lintian on it.
# Usage: scripts/package.sh BUILD_DIR [OUT_DIR]
#   BUILD_DIR  a configured build dir: the native one (e.g. `build`) gives the
#              amd64 package, a cross one (`build-arm64`, scripts/build-arm64.sh)
#              the arm64 package. Only `snoc` and the packaging files (man page,
#              changelog) are (re)built here, nothing else.
#   OUT_DIR    where the .deb goes (default: dist/)
# Environment:
#   SNOC_PACKAGE_SKIP_INSTALL=1   don't apt-get install missing tools (lintian, file, ...)
# Steps: re-configure (cheap; picks up docs/cli.md), build snoc + snoc_package_files,
# cpack, check the binary's architecture (`file`) and the package's contents,
# print `dpkg-deb -I` and `-c`, run the packaged binary (under
# qemu-aarch64-static for arm64: `snoc profiles` must list profiles), and
# run lintian: any error or warning fails the script unless overridden in
# packaging/lintian-overrides (shipped in the package; none are needed today),
# each override explained in docs/packaging.md.
# See docs/packaging.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"
  [ $# -ge 1 ] && [ $# -le 2 ] && exit 0
  exit 2
fi
build_dir=$1
out_dir=${2:-dist}

step() { echo "== package: $*"; }
fail() { echo "package: $*" >&2; exit 1; }

[ -f "$build_dir/CMakeCache.txt" ] || fail "$build_dir is not a configured build dir (no CMakeCache.txt)"
build_dir=$(cd "$build_dir" && pwd)

# 1. tools
. "$repo/scripts/lib/apt.sh"
tools=(cmake dpkg-dev file lintian gzip python3 binutils)
if grep -q "^CMAKE_TOOLCHAIN_FILE:.*aarch64" "$build_dir/CMakeCache.txt"; then
  tools+=(qemu-user-static binutils-aarch64-linux-gnu)
fi
mapfile -t missing < <(apt_missing "${tools[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
  [ "${SNOC_PACKAGE_SKIP_INSTALL:-0}" != 1 ] || fail "missing: ${missing[*]} (SNOC_PACKAGE_SKIP_INSTALL=1)"
  apt_update_if_stale
  apt_install package "${missing[@]}"
fi

# 2. configure again (keeps the cache; finds docs/cli.md or python3 if they came
#    later) and build only what the package holds.
step "configuring $build_dir"
cmake -S "$repo" -B "$build_dir" >/dev/null
step "building snoc and the packaging files"
cmake --build "$build_dir" --target snoc snoc_package_files

cpack_config=$build_dir/CPackConfig.cmake
[ -f "$cpack_config" ] || fail "no $cpack_config (is packaging/SnocPackaging.cmake included?)"
cfg() { sed -n "s/^set($1 \"\\(.*\\)\")\$/\\1/p" "$cpack_config" | head -n1; }
version=$(cfg CPACK_PACKAGE_VERSION)
arch=$(cfg CPACK_DEBIAN_PACKAGE_ARCHITECTURE)
[ -n "$arch" ] || arch=$(dpkg --print-architecture)
case $arch in
  amd64) elf_machine="x86-64" ;;
  arm64) elf_machine="ARM aarch64" ;;
  *) fail "no check for architecture $arch" ;;
esac
[ -f "$build_dir/packaging/snoc.8.gz" ] ||
  fail "no man page in $build_dir/packaging: it is built from docs/cli.md with python3 (see the configure warning)"

# 3. the binary is for the package's architecture
snoc_bin=$build_dir/controller/snoc
desc=$(file -b "$snoc_bin")
echo "$snoc_bin: $desc"
[[ $desc == ELF*"$elf_machine"* ]] || fail "$snoc_bin is not an $elf_machine binary but: $desc"
step "libraries it links (readelf -d)"
readelf -d "$snoc_bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/  \1/p'
if readelf -d "$snoc_bin" | grep -q 'NEEDED.*librte_'; then
  echo "  (links DPDK's librte_* libraries: the package depends on them)"
fi

# 4. cpack. SOURCE_DATE_EPOCH (the changelog's date) makes the archive's times
#    reproducible; cpack runs dpkg-shlibdeps for $arch (packaging/CPackProjectConfig.cmake).
: "${SOURCE_DATE_EPOCH:=$(dpkg-parsechangelog -l "$repo/packaging/changelog" -S Timestamp)}"
export SOURCE_DATE_EPOCH
work=$build_dir/_package
rm -rf "$work"
step "cpack ($arch)"
cpack --config "$cpack_config" -B "$work"
deb_name=snoc_${version}_${arch}.deb
[ -f "$work/$deb_name" ] || fail "cpack made no $deb_name: $(ls "$work")"
mkdir -p "$out_dir"
mv -f "$work/$deb_name" "$out_dir/"
deb=$(cd "$out_dir" && pwd)/$deb_name
rm -rf "$work"

step "dpkg-deb -I $deb_name"
dpkg-deb -I "$deb"
step "dpkg-deb -c $deb_name"
dpkg-deb -c "$deb"

# 5. what the package must hold
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$root/DEBIAN"
for f in usr/bin/snoc usr/share/man/man8/snoc.8.gz usr/share/bash-completion/completions/snoc \
         lib/systemd/system/snoc.service etc/snoc/edge.yaml usr/share/doc/snoc/copyright \
         usr/share/snoc/nic-profiles/connectx-6dx.yaml \
         usr/share/snoc/examples/minimal.yaml; do
  [ -f "$root/$f" ] || fail "$deb_name has no /$f"
done
compgen -G "$root/usr/share/doc/snoc/changelog*.gz" >/dev/null || fail "$deb_name has no /usr/share/doc/snoc/changelog.gz"
grep -qx /etc/snoc/edge.yaml "$root/DEBIAN/conffiles" || fail "/etc/snoc/edge.yaml is not a conffile"
grep -q '^ExecStart=/usr/bin/snoc run ' "$root/lib/systemd/system/snoc.service" ||
  fail "the unit's ExecStart is not /usr/bin/snoc: $(grep ExecStart= "$root/lib/systemd/system/snoc.service")"
desc=$(file -b "$root/usr/bin/snoc")
[[ $desc == ELF*"$elf_machine"*", stripped"* ]] || fail "/usr/bin/snoc is not a stripped $elf_machine binary: $desc"
gzip -t "$root/usr/share/man/man8/snoc.8.gz"
dpkg-deb -f "$deb" Depends | grep -q 'iproute2' || fail "Depends lacks iproute2"
echo "contents: ok (stripped $elf_machine binary, man page, completion, unit, conffile, doc)"

# 6. the packaged binary runs (arm64: under qemu with the host's multiarch arm64 libraries)
run=()
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  [ "$arch" = arm64 ] || fail "cannot run a $arch binary here"
  [ -e /lib/ld-linux-aarch64.so.1 ] || fail "no arm64 loader: run scripts/install-arm64-deps.sh"
  run=(qemu-aarch64-static)
fi
step "${run[*]:+${run[*]} }/usr/bin/snoc profiles (from the package)"
profiles=$("${run[@]}" "$root/usr/bin/snoc" profiles) || fail "the packaged snoc does not run"
echo "$profiles"
[ "$(echo "$profiles" | wc -l)" -gt 1 ] || fail "snoc profiles listed no profile"
"${run[@]}" "$root/usr/bin/snoc" validate "$root/etc/snoc/edge.yaml" >/dev/null ||
  fail "the packaged /etc/snoc/edge.yaml does not validate"
"${run[@]}" "$root/usr/bin/snoc" --profiles-dir "$root/usr/share/snoc/nic-profiles" profiles >/dev/null ||
  fail "the packaged profiles in /usr/share/snoc/nic-profiles do not load"
echo "snoc validate /etc/snoc/edge.yaml, --profiles-dir /usr/share/snoc/nic-profiles (from the package): ok"

# 7. lintian: errors and warnings fail; info tags are shown (docs/packaging.md
#    explains the ones we keep). Overrides would ship in the package
#    (/usr/share/lintian/overrides/snoc, from packaging/lintian-overrides).
step "lintian $deb_name"
set +e
lintian --display-info --fail-on error,warning "$deb"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "lintian found errors or warnings in $deb_name (rc $rc)"
echo "lintian: no errors or warnings"

step "done: $deb"
