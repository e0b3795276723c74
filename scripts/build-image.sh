#!/usr/bin/env bash
# Builds the snoc node-agent container image offline from a snoc .deb:
#   1. a Debian 12 minbase root (debootstrap; the cached base of
#      scripts/lib/debian-root.sh), for the package's architecture;
#   2. `apt-get install ./snoc_*.deb` inside it, so the image holds exactly
#      the package and what its Depends pull; apt's lists and caches removed;
#   3. `podman build` of packaging/container/Containerfile (FROM scratch,
#      ADD of that root): no RUN step, so an arm64 image builds on amd64.
# Usage: scripts/build-image.sh --deb FILE [--tag NAME] [--save FILE.tar]
#   --deb FILE   snoc_<version>_<arch>.deb (scripts/package.sh); the arch
#                of the image is the package's
#   --tag NAME   image name (default snoc:<version>, or snoc:<version>-arm64)
#   --save FILE  also write the image as an OCI archive (podman save)
# For arm64 on an amd64 host the root's maintainer scripts run under
# qemu-aarch64-static through binfmt_misc (registered here if it is not).
# See docs/packaging.md.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$repo/scripts/lib/apt.sh"
. "$repo/scripts/lib/debian-root.sh"

deb= tag= save=
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --save) save=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-image: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "$deb" ] || { echo "build-image: --deb FILE is required" >&2; exit 2; }
[ -f "$deb" ] || { echo "build-image: no such package: $deb" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "build-image: needs root (chroot)" >&2; exit 2; }
arch=$(dpkg-deb -f "$deb" Architecture)
version=$(dpkg-deb -f "$deb" Version)
host_arch=$(dpkg --print-architecture)
if [ -z "$tag" ]; then
  tag="snoc:$version"
  [ "$arch" = "$host_arch" ] || tag="$tag-$arch"
fi

mapfile -t need < <(apt_missing podman runc)
if [ "${#need[@]}" -gt 0 ]; then
  apt_update_if_stale
  apt_install build-image "${need[@]}"
fi

if [ "$arch" != "$host_arch" ]; then
  # The target's maintainer scripts and apt's calls run through qemu. The
  # F flag opens the emulator now, so it works inside the chroot too.
  [ "$arch" = arm64 ] || { echo "build-image: only amd64 and arm64 packages ($arch)" >&2; exit 2; }
  mapfile -t need < <(apt_missing qemu-user-static)
  [ "${#need[@]}" -eq 0 ] || { apt_update_if_stale; apt_install build-image "${need[@]}"; }
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    conf=/usr/lib/binfmt.d/qemu-aarch64.conf
    [ -f "$conf" ] || { echo "build-image: $conf missing (qemu-user-static)" >&2; exit 1; }
    grep -v '^#' "$conf" > /proc/sys/fs/binfmt_misc/register
  fi
fi

work=$(mktemp -d /var/tmp/snoc-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
base=$(debian_base_tarball "$arch")
root=$work/root
debian_root_unpack "$base" "$root"
debian_root_install_deb "$root" "$deb" || { echo "build-image: apt could not install $deb in a fresh root" >&2; exit 1; }
# Nothing of apt's lists and caches in the image.
debian_root_run "$root" bash -euc 'apt-get clean; rm -rf /var/lib/apt/lists/*'
# The resolver and apt settings were this host's, for the build only.
rm -f "$root/etc/resolv.conf"
tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
  --exclude='./run/*' --exclude='./tmp/*' -cf "$work/rootfs.tar" .
cp "$repo/packaging/container/Containerfile" "$work/"
podman build -q --platform "linux/$arch" --build-arg "SNOC_VERSION=$version" -t "$tag" "$work" >/dev/null
size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "build-image: $tag ($arch, snoc $version, $((size / 1024 / 1024)) MiB)"
if [ -n "$save" ]; then
  podman save -q --format oci-archive -o "$save" "$tag"
  echo "build-image: saved as $save"
fi
