#!/usr/bin/env bash
# Prepares the VM test tier (docs/vm-tier.md), idempotently:
#   1. installs the host packages it needs (qemu, busybox-static, kmod, ...);
#   2. resolves the current Debian kernel ABI (linux-image-amd64's dependency),
#      downloads its linux-image, linux-headers (+ -common, linux-kbuild) and
#      linux-source debs and unpacks them into the cache (nothing is installed
#      on the host: no /boot, no update-initramfs, no grub);
#   3. extracts the uncompressed vmlinux (qemu boots it through its PVH entry);
#   4. builds netdevsim (not built by Debian) out of tree from linux-source with
#      kernel-patches/netdevsim-flower-offload/*.patch applied;
#   5. builds the busybox initramfs (tests/vm/initramfs-init.sh + 9p/overlay
#      modules).
# Each product is rebuilt only when its inputs change. Prints what it did and
# how long it took.
#
# Usage: tests/vm/setup.sh [--force] [--no-install]
#   --force       rebuild everything in the cache
#   --no-install  do not apt-get install host packages (fail if missing)
# Environment:
#   SNOC_VM_CACHE       cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/snoc-vm)
#   SNOC_VM_KERNEL_ABI  kernel ABI to use, e.g. 6.1.0-56-amd64 (default: what
#                       linux-image-amd64 depends on now)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
args=("$@")
force=0
install=1
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --no-install) install=0 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) echo "setup.sh: unknown argument '$a'" >&2; exit 2 ;;
  esac
done

t0=$(date +%s.%N)
tstep=$t0
log() { echo "vm-setup: $*"; }
step_done() { # MESSAGE: print it with the time since the previous step
  local now
  now=$(date +%s.%N)
  printf 'vm-setup: %-58s %6.1f s\n' "$1" "$(echo "$now - $tstep" | bc)"
  tstep=$now
}
die() { echo "vm-setup: error: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------- 1. host packages
# qemu-system-x86 (qemu + PVH option rom), busybox-static (initramfs), kmod
# (depmod/modprobe for the module tree, and modprobe inside the guest), cpio
# (initramfs), patch/make/gcc-12/libc6-dev (netdevsim build, Debian's 6.1 is
# built with gcc-12), bc (timings), iproute2/iputils-ping/ethtool (used by the
# guest scripts, which run the host's binaries).
packages=(qemu-system-x86 busybox-static kmod cpio xz-utils patch make gcc-12 libc6-dev bc
  iproute2 iputils-ping ethtool)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
apt_updated=0
apt_update() {
  [ "$apt_updated" -eq 0 ] || return 0
  log "apt-get update"
  $SUDO apt-get update -q >/dev/null
  apt_updated=1
}
lists_fresh() {
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -cmin -1440 2>/dev/null | head -n1)" ]
}
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$install" -eq 1 ] || die "missing host packages: ${missing[*]}"
  lists_fresh || apt_update
  log "installing ${missing[*]}"
  $SUDO apt-get install -y -q --no-remove --no-install-recommends "${missing[@]}" >/dev/null
  step_done "host packages installed (${#missing[@]})"
else
  step_done "host packages present (${#packages[@]})"
fi

# ---------------------------------------------------------------- 2. kernel ABI and debs
cache=${SNOC_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache}/snoc-vm}
mkdir -p "$cache"
# The guest sees the cache through the 9p root at the same path; a symlink in
# the path would resolve against the initramfs, so use the real path.
cache=$(realpath "$cache")
# One setup at a time, and none while a VM runs from the cache (run.sh holds
# the lock shared).
exec 9>>"$cache/.lock"
if ! flock -x -n 9; then
  log "waiting for the cache lock ($cache/.lock: another setup.sh or a running VM)"
  flock -x -w 900 9 || die "cannot lock $cache"
fi

pkg_version() { # PACKAGE: candidate version, empty when apt does not know it
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | grep -v '(none)' || true
}
resolve_abi() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

kver=${SNOC_VM_KERNEL_ABI:-}
if [ -z "$kver" ]; then
  lists_fresh || apt_update
  kver=$(resolve_abi)
  [ -n "$kver" ] || { apt_update; kver=$(resolve_abi); }
  if [ -z "$kver" ] && [ -f "$cache/current.env" ]; then
    # Offline: keep using what the cache has.
    kver=$(sed -n 's/^SNOC_VM_KVER=//p' "$cache/current.env")
    log "apt cannot resolve linux-image-amd64; using the cached kernel $kver"
  fi
fi
[ -n "$kver" ] || die "cannot resolve the kernel ABI (apt-cache depends linux-image-amd64)"
case "$kver" in
  [0-9]*.[0-9]*.*-amd64) ;;
  *) die "unexpected kernel ABI '$kver'" ;;
esac
series=${kver%%-*}          # 6.1.0
series=${series%.*}         # 6.1
abi=${kver%-amd64}          # 6.1.0-56
kdir=$cache/$kver
root=$kdir/root
mkdir -p "$kdir"

image_pkg=linux-image-$kver
headers_pkg=linux-headers-$kver
common_pkg=linux-headers-$abi-common
kbuild_pkg=linux-kbuild-$series
source_pkg=linux-source-$series

# Inputs of each product, compared with the stamp left by the previous build.
stamp_ok() { [ "$force" -eq 0 ] && [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$2" ]; }
stamp_set() { printf '%s' "$2" >"$1.stamp"; }

# The exact upload of that ABI: apt's candidate, or what the cache has when
# apt no longer knows the package (offline, or the mirror moved on).
kernel_version=$(pkg_version "$image_pkg")
if [ -z "$kernel_version" ] && [ -f "$kdir/kernel.version" ]; then
  kernel_version=$(cat "$kdir/kernel.version")
fi
if [ -z "$kernel_version" ]; then apt_update; kernel_version=$(pkg_version "$image_pkg"); fi
[ -n "$kernel_version" ] || die "apt does not know $image_pkg"
step_done "kernel $kver ($kernel_version)"

debs=$kdir/debs
fetch() { # PACKAGE=VERSION...: download into $debs unless already there
  local want=() p
  mkdir -p "$debs"
  for p in "$@"; do
    local name=${p%%=*} ver=${p#*=}
    ls "$debs/${name}_${ver//:/%3a}_"*.deb >/dev/null 2>&1 || want+=("$p")
  done
  [ "${#want[@]}" -eq 0 ] && return 0
  log "downloading ${want[*]}"
  if ! (cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >/dev/null); then
    # Stale package lists (the mirror keeps only the current kernel): refresh
    # them and start over once, resolving the kernel again.
    [ -z "${SNOC_VM_SETUP_RETRY:-}" ] || die "cannot download ${want[*]}"
    apt_update
    log "download failed; starting over with fresh package lists"
    SNOC_VM_SETUP_RETRY=1 exec bash "$0" "${args[@]}"
  fi
}
deb_of() { ls "$debs/${1}_${2//:/%3a}_"*.deb 2>/dev/null | head -n1; }

# ---- image + headers, unpacked into $root (its /lib/modules/$kver is the guest's)
if stamp_ok "$kdir/root" "$kernel_version"; then
  step_done "kernel tree cached ($root)"
else
  fetch "$image_pkg=$kernel_version" "$headers_pkg=$kernel_version" \
    "$common_pkg=$kernel_version" "$kbuild_pkg=$kernel_version"
  step_done "kernel debs downloaded"
  rm -rf "$root" "$kdir/vmlinux" "$kdir/vmlinux.stamp"
  mkdir -p "$root"
  for p in "$image_pkg" "$headers_pkg" "$common_pkg" "$kbuild_pkg"; do
    dpkg-deb -x "$(deb_of "$p" "$kernel_version")" "$root"
  done
  # The headers' Makefile includes the -common tree by absolute path; point
  # it into the cache. The build/ and source/ links of the module tree too.
  sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/linux-headers-$kver/Makefile"
  ln -sfn "$root/usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
  ln -sfn "$root/usr/src/linux-headers-$abi-common" "$root/lib/modules/$kver/source"
  depmod -b "$root" "$kver"
  echo "$kernel_version" >"$kdir/kernel.version"
  stamp_set "$kdir/root" "$kernel_version"
  rm -f "$debs/${image_pkg}_"*.deb # the largest; the tree is all we need from it
  step_done "kernel tree unpacked, depmod done"
fi

# ---------------------------------------------------------------- 3. vmlinux
if stamp_ok "$kdir/vmlinux" "$kernel_version"; then
  step_done "vmlinux cached"
else
  bz=$root/boot/vmlinuz-$kver
  [ -f "$bz" ] || die "$bz missing"
  # The bzImage carries an XZ stream (CONFIG_KERNEL_XZ); try each XZ magic
  # until one decompresses to an ELF image.
  ok=0
  for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bz" | cut -d: -f1); do
    # (process substitution: tail's SIGPIPE when xz stops must not count)
    if xz -dc --single-stream < <(tail -c +$((off + 1)) "$bz") >"$kdir/vmlinux.tmp" 2>/dev/null &&
      [ "$(head -c 4 "$kdir/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      ok=1
      break
    fi
  done
  [ "$ok" -eq 1 ] || die "cannot extract vmlinux from $bz (not XZ-compressed?)"
  mv "$kdir/vmlinux.tmp" "$kdir/vmlinux"
  stamp_set "$kdir/vmlinux" "$kernel_version"
  step_done "vmlinux extracted ($(($(stat -c %s "$kdir/vmlinux") / 1048576)) MiB)"
fi

# ---------------------------------------------------------------- 4. netdevsim
patch_dir=$repo/kernel-patches/netdevsim-flower-offload
nsim_recipe=1 # bump when the build steps below change
patches_sum=$(cat "$patch_dir"/*.patch | sha256sum | cut -c1-16)
src_version=$(cat "$kdir/source.version" 2>/dev/null || true)
[ -d "$kdir/netdevsim-src" ] || src_version=
if [ "$src_version" != "$kernel_version" ]; then
  # linux-source at the image's version when the mirror has it (it normally
  # does: both come from the same source upload); else keep what the cache
  # has, else the candidate.
  src_want=$(apt-cache madison "$source_pkg" 2>/dev/null | awk -v v="$kernel_version" '$3 == v {print $3; exit}')
  [ -n "$src_want" ] || src_want=$src_version
  [ -n "$src_want" ] || src_want=$(pkg_version "$source_pkg")
  [ -n "$src_want" ] || { apt_update; src_want=$(pkg_version "$source_pkg"); }
  [ -n "$src_want" ] || die "apt does not know $source_pkg"
  [ "$src_want" = "$kernel_version" ] ||
    log "warning: $source_pkg $src_want differs from the kernel's $kernel_version"
fi
if [ "$src_version" != "${src_want:-$src_version}" ] || [ -z "$src_version" ]; then
  src_version=$src_want
  fetch "$source_pkg=$src_version"
  step_done "$source_pkg $src_version downloaded"
  rm -rf "$kdir/netdevsim-src" "$kdir/netdevsim-src.tmp"
  mkdir -p "$kdir/netdevsim-src.tmp"
  # Only drivers/net/netdevsim is needed: stream the tarball out of the deb
  # and keep that directory (the whole tree would be ~1.3 GB).
  dpkg-deb --fsys-tarfile "$(deb_of "$source_pkg" "$src_version")" |
    tar -xO "./usr/src/linux-source-$series.tar.xz" |
    tar -xJ -C "$kdir/netdevsim-src.tmp" --strip-components=1 \
      "linux-source-$series/drivers/net/netdevsim"
  [ -f "$kdir/netdevsim-src.tmp/drivers/net/netdevsim/netdev.c" ] || die "netdevsim not found in $source_pkg"
  mv "$kdir/netdevsim-src.tmp" "$kdir/netdevsim-src"
  echo "$src_version" >"$kdir/source.version"
  rm -f "$debs/${source_pkg}_"*.deb # 140 MB; the extracted driver is all we need
  step_done "netdevsim source extracted"
fi
nsim_key="recipe=$nsim_recipe kernel=$kernel_version source=$src_version patches=$patches_sum"
nsim_ko=$root/lib/modules/$kver/updates/netdevsim.ko
if stamp_ok "$kdir/netdevsim" "$nsim_key" && [ -f "$nsim_ko" ]; then
  step_done "netdevsim.ko cached"
else
  b=$kdir/netdevsim-build
  rm -rf "$b"
  mkdir -p "$b"
  cp -a "$kdir/netdevsim-src/drivers" "$b/"
  for p in "$patch_dir"/*.patch; do
    patch -d "$b" -p1 --quiet --no-backup-if-mismatch <"$p" || die "patch $(basename "$p") does not apply to $source_pkg $src_version"
  done
  if ! make -C "$root/usr/src/linux-headers-$kver" M="$b/drivers/net/netdevsim" CONFIG_NETDEVSIM=m \
    -j"$(nproc)" modules >"$b/build.log" 2>&1; then
    tail -n 40 "$b/build.log" >&2
    die "netdevsim build failed (log: $b/build.log)"
  fi
  mkdir -p "$(dirname "$nsim_ko")"
  strip --strip-debug -o "$nsim_ko" "$b/drivers/net/netdevsim/netdevsim.ko"
  depmod -b "$root" "$kver"
  stamp_set "$kdir/netdevsim" "$nsim_key"
  step_done "netdevsim.ko built with $(ls "$patch_dir"/*.patch | wc -l) patch(es)"
fi

# ---------------------------------------------------------------- 5. initramfs
initramfs_modules=(virtio_pci 9pnet_virtio 9p overlay)
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing (busybox-static)"
ird_key="kernel=$kernel_version init=$(sha256sum <"$here/initramfs-init.sh" | cut -c1-16) busybox=$(sha256sum <"$busybox" | cut -c1-16) modules=${initramfs_modules[*]}"
if stamp_ok "$kdir/initramfs" "$ird_key" && [ -f "$kdir/initramfs.cpio.gz" ]; then
  step_done "initramfs cached"
else
  w=$(mktemp -d)
  trap 'rm -rf "$w"' EXIT
  mkdir -p "$w/bin" "$w/modules"
  cp "$busybox" "$w/bin/busybox"
  cp "$here/initramfs-init.sh" "$w/init"
  chmod 755 "$w/init"
  : >"$w/modules.list"
  # modprobe --show-depends lists each module after its dependencies.
  while read -r ko; do
    b=$(basename "$ko")
    grep -qx "$b" "$w/modules.list" && continue
    cp "$ko" "$w/modules/$b"
    echo "$b" >>"$w/modules.list"
  done < <(modprobe -d "$root" -S "$kver" -a --show-depends "${initramfs_modules[@]}" | awk '$1 == "insmod" {print $2}')
  (cd "$w" && find . | sort | cpio -o -H newc --quiet -R 0:0 | gzip -1 >"$kdir/initramfs.cpio.gz.tmp")
  mv "$kdir/initramfs.cpio.gz.tmp" "$kdir/initramfs.cpio.gz"
  stamp_set "$kdir/initramfs" "$ird_key"
  step_done "initramfs built ($(wc -l <"$w/modules.list") modules)"
fi

# ---------------------------------------------------------------- done
cat >"$cache/current.env.tmp" <<EOF
SNOC_VM_KVER=$kver
SNOC_VM_KERNEL_VERSION=$kernel_version
SNOC_VM_VMLINUX=$kdir/vmlinux
SNOC_VM_INITRAMFS=$kdir/initramfs.cpio.gz
SNOC_VM_MODULES=$root/lib/modules/$kver
SNOC_NETDEVSIM_KO=$nsim_ko
EOF
mv "$cache/current.env.tmp" "$cache/current.env"
# Older kernels' trees are dead weight once a new ABI is set up.
for d in "$cache"/*-amd64; do
  [ -d "$d" ] && [ "$d" != "$kdir" ] && { log "removing old kernel tree $d"; rm -rf "$d"; }
done
printf 'vm-setup: ready: kernel %s, cache %s (%s), total %.1f s\n' "$kver" "$cache" \
  "$(du -sh "$cache" 2>/dev/null | cut -f1)" "$(echo "$(date +%s.%N) - $t0" | bc)"
