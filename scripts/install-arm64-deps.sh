#!/usr/bin/env bash
# Installs what snoc needs to cross-build for aarch64 and run the tests under
# qemu user emulation, on a Debian 12 amd64 host, idempotently.
# Usage: scripts/install-arm64-deps.sh
#
# - the amd64 cross tool chain (crossbuild-essential-arm64) and qemu-user-static;
# - the arm64 (multiarch, /usr/lib/aarch64-linux-gnu) libraries snoc links to.
#
# Never removes a package. Two Debian -dev packages can't be co-installed with
# their amd64 twins: libyaml-cpp-dev (Multi-Arch: no) and prometheus-cpp-dev
# (it depends on the arch-specific `civetweb` binary package); apt would
# silently replace the amd64 ones. For those we install the arm64 runtime
# libraries with apt and unpack only the arch-specific part of the -dev package
# (/usr/lib/aarch64-linux-gnu/{lib*.so,lib*.a,cmake/,pkgconfig/}) with
# `apt-get download` + `dpkg-deb -x`. The headers come from the amd64 -dev
# package of the same version (scripts/install-deps.sh), or are unpacked too
# when they are missing. What was unpacked is listed in /var/lib/snoc-arm64/.
set -euo pipefail

ARCH=arm64
TRIPLET=aarch64-linux-gnu

# amd64 packages: the cross compiler and the emulator.
host_packages=("crossbuild-essential-$ARCH" qemu-user-static file)

# arm64 packages that co-install cleanly with their amd64 twins (Multi-Arch: same).
target_packages=(
  libc6-dev libstdc++-12-dev
  libyaml-cpp0.7                     # runtime; -dev is unpacked below
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libprometheus-cpp-push1.0
  libcivetweb-dev zlib1g-dev libcurl4-openssl-dev  # prometheus-cpp's find_dependency()s
  libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
  libbpf-dev                         # emulated eSwitch; Multi-Arch: same, co-installs with amd64
)

# arm64 -dev packages to unpack instead of installing: "dev-package runtime-package".
unpacked_packages=(
  "libyaml-cpp-dev libyaml-cpp0.7"
  "prometheus-cpp-dev libprometheus-cpp-core1.0"
)
state_dir=/var/lib/snoc-arm64

. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

# 1. the arm64 architecture and its package lists
if ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
  echo "install-arm64-deps: adding dpkg architecture $ARCH"
  $SUDO dpkg --add-architecture "$ARCH"
fi

missing=()
for p in "${host_packages[@]}"; do apt_installed "$p" || missing+=("$p"); done
for p in "${target_packages[@]}"; do apt_installed "$p:$ARCH" || missing+=("$p:$ARCH"); done
for entry in "${unpacked_packages[@]}"; do
  read -r dev runtime <<<"$entry"
  [[ " ${target_packages[*]} " == *" $runtime "* ]] && continue
  apt_installed "$runtime:$ARCH" || missing+=("$runtime:$ARCH")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if ! ls /var/lib/apt/lists/*_binary-${ARCH}_Packages* >/dev/null 2>&1; then
    echo "install-arm64-deps: no $ARCH package lists yet, running apt-get update"
    # A third-party source without arm64 packages only warns; the Debian lists are what we need.
    $SUDO apt-get update -q || true
    if ! ls /var/lib/apt/lists/*_binary-${ARCH}_Packages* >/dev/null 2>&1; then
      echo "install-arm64-deps: apt-get update fetched no $ARCH package list" >&2
      exit 1
    fi
  fi
  # Refuse anything that would remove a package (e.g. an amd64 -dev twin).
  if sim=$(apt-get install -s -q --no-install-recommends "${missing[@]}" 2>&1); then :; else
    echo "$sim" >&2; exit 1
  fi
  if grep -q '^Remv ' <<<"$sim"; then
    echo "install-arm64-deps: refusing, apt would remove:" >&2
    grep '^Remv ' <<<"$sim" >&2
    exit 1
  fi
  echo "install-arm64-deps: installing ${missing[*]}"
  if ! $SUDO apt-get install -y -q --no-remove --no-install-recommends "${missing[@]}"; then
    # Most often stale lists (a 404 on a superseded version): refresh once and retry.
    echo "install-arm64-deps: install failed; apt-get update and one retry"
    $SUDO apt-get update -q || true
    $SUDO apt-get install -y -q --no-remove --no-install-recommends "${missing[@]}"
  fi
else
  echo "install-arm64-deps: all apt packages present"
fi

# 2. the -dev packages that conflict with their amd64 twins: unpack their arm64
#    arch-specific files, pinned to the installed runtime's version.
$SUDO mkdir -p "$state_dir"
for entry in "${unpacked_packages[@]}"; do
  read -r dev runtime <<<"$entry"
  version=$(dpkg-query -W -f='${Version}' "$runtime:$ARCH")
  stamp="$state_dir/$dev.version"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -s "$state_dir/$dev.files" ] &&
     xargs -a "$state_dir/$dev.files" -d '\n' ls -d >/dev/null 2>&1; then
    echo "install-arm64-deps: $dev:$ARCH $version already unpacked"
    continue
  fi
  if apt_installed "$dev:$ARCH"; then   # someone installed it with apt: nothing to do
    echo "install-arm64-deps: $dev:$ARCH is installed by dpkg"
    continue
  fi
  echo "install-arm64-deps: unpacking $dev:$ARCH=$version (its amd64 twin stays installed)"
  tmp=$(mktemp -d)
  # apt-get download runs as _apt when it can; let it write into the temp dir.
  chmod 0777 "$tmp"
  if ! (cd "$tmp" && apt-get download -q "$dev:$ARCH=$version"); then
    $SUDO apt-get update -q || true
    (cd "$tmp" && apt-get download -q "$dev:$ARCH=$version")
  fi
  mkdir "$tmp/root"
  dpkg-deb -x "$tmp"/*.deb "$tmp/root"
  # Arch-specific files always; headers only when the amd64 -dev package doesn't provide them.
  (cd "$tmp/root" && find "usr/lib/$TRIPLET" \( -type f -o -type l \)) > "$tmp/files"
  if [ -d "$tmp/root/usr/include" ]; then
    (cd "$tmp/root" && find usr/include \( -type f -o -type l \)) | while read -r f; do
      [ -e "/$f" ] || echo "$f"
    done >> "$tmp/files"
  fi
  # cp -P keeps the lib*.so -> lib*.so.N symlinks (their targets come from the runtime package).
  (cd "$tmp/root" && xargs -a "$tmp/files" -d '\n' $SUDO cp -P --parents -t / --)
  sed 's|^|/|' "$tmp/files" | $SUDO tee "$state_dir/$dev.files" >/dev/null
  echo "$version" | $SUDO tee "$stamp" >/dev/null
  rm -rf "$tmp"
done

# 3. sanity: the cross compiler, the emulator and the dynamic loader qemu needs
#    (from libc6:arm64; with it, qemu-aarch64-static needs no -L prefix).
for f in /usr/bin/$TRIPLET-g++ /usr/bin/qemu-aarch64-static /lib/ld-linux-aarch64.so.1 \
         /usr/lib/$TRIPLET/cmake/yaml-cpp/yaml-cpp-config.cmake \
         /usr/lib/$TRIPLET/cmake/prometheus-cpp/prometheus-cpp-config.cmake; do
  if [ ! -e "$f" ]; then
    echo "install-arm64-deps: missing $f after install" >&2
    exit 1
  fi
done
echo "install-arm64-deps: ok"
