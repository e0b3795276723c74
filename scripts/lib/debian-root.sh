# shellcheck shell=bash
# A minimal Debian 12 root (debootstrap --variant=minbase), as a fresh machine
# has it, for the fresh-root check and the container image (source this file).
#   debian_mirror                 prints the Debian archive this host's apt uses
#   debian_base_tarball ARCH      prints the path of a cached minbase root for ARCH,
#                                 made first when today's is missing (the only cache)
#   debian_root_unpack TAR DIR    unpacks a base into DIR and gives it this host's
#                                 apt sources, apt settings and resolver
#   debian_root_install_deb DIR DEB
#                                 `apt-get install ./DEB` inside DIR: the package
#                                 and what its Depends pull from the archive
#   debian_root_run DIR CMD...    runs CMD as root inside DIR in private mount and
#                                 pid namespaces with /proc, /sys, /dev, /run and
#                                 bpffs mounted; everything started there dies with it
# Needs scripts/lib/apt.sh sourced first.

debian_root_cache=${SNOC_DEBIAN_CACHE:-/var/cache/snoc-debian-root}

# The archive apt uses here: deb822 sources first, then sources.list. Never a
# name written in this repository: a machine's archive is its own business.
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$uri" ] || { echo "debian-root: no Debian archive in /etc/apt/sources.list*" >&2; return 1; }
  echo "$uri"
}

# One base a day and architecture: today's is reused, older ones are removed.
# Only debootstrap's own output is cached; nothing an install script installs.
debian_base_tarball() {
  local arch=$1 today tar tmp mirror
  today=$(date +%Y%m%d)
  tar="$debian_root_cache/bookworm-minbase-$arch-$today.tar"
  if [ -s "$tar" ]; then echo "$tar"; return 0; fi
  mapfile -t need < <(apt_missing debootstrap)
  if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    mapfile -t -O "${#need[@]}" need < <(apt_missing qemu-user-static)
  fi
  if [ "${#need[@]}" -gt 0 ]; then
    apt_update_if_stale >&2
    apt_install debian-root "${need[@]}" >&2
  fi
  mirror=$(debian_mirror) || return 1
  mkdir -p "$debian_root_cache"
  tmp=$(mktemp -d "$debian_root_cache/make.XXXXXX")
  echo "debian-root: debootstrap --variant=minbase --arch $arch bookworm ($mirror)" >&2
  local foreign=()
  [ "$arch" != "$(dpkg --print-architecture)" ] && foreign=(--foreign)
  if ! debootstrap --variant=minbase --arch "$arch" "${foreign[@]}" bookworm "$tmp/root" "$mirror" >"$tmp/log" 2>&1; then
    tail -n 20 "$tmp/log" >&2
    echo "debian-root: debootstrap failed (log above)" >&2
    rm -rf "$tmp"
    return 1
  fi
  if [ "${#foreign[@]}" -gt 0 ]; then
    # The second stage runs the target's maintainer scripts through qemu.
    cp /usr/bin/qemu-aarch64-static "$tmp/root/usr/bin/"
    if ! chroot "$tmp/root" /debootstrap/debootstrap --second-stage >"$tmp/log" 2>&1; then
      tail -n 20 "$tmp/log" >&2
      echo "debian-root: debootstrap's second stage failed under qemu (log above)" >&2
      rm -rf "$tmp"
      return 1
    fi
    rm -f "$tmp/root/usr/bin/qemu-aarch64-static"
  fi
  tar -C "$tmp/root" --numeric-owner -cf "$tmp/base.tar" .
  find "$debian_root_cache" -maxdepth 1 -name "bookworm-minbase-$arch-*.tar" -delete
  mv "$tmp/base.tar" "$tar"
  rm -rf "$tmp"
  echo "$tar"
}

debian_root_unpack() {
  local tar=$1 dir=$2 f
  mkdir -p "$dir"
  tar -C "$dir" --numeric-owner -xf "$tar"
  # The archive and apt settings of this machine (the snapshot it serves may
  # need Check-Valid-Until off); the base's own sources.list would differ.
  rm -f "$dir/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp "$f" "$dir$f"
  done
  for f in /etc/apt/apt.conf.d/*; do
    # Only settings about fetching: nothing that installs extra packages.
    [ -f "$f" ] && grep -q '^Acquire::' "$f" && cp "$f" "$dir$f"
  done
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
  # What an installed machine has and debootstrap leaves out: names for the
  # loopback addresses (a fresh machine resolves "localhost").
  [ -s "$dir/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
}

# Mounts live in a private mount namespace and go with it; the pid namespace
# ends every process the command left running (OVS daemons, a snoc run).
debian_root_run() {
  local dir=$1
  shift
  unshare --mount --pid --fork --propagation private bash -euc '
    dir=$1; shift
    # The root must be a mount point: `ip netns exec` re-marks / as a slave
    # mount, which fails on a plain directory.
    mount --bind "$dir" "$dir"
    mount -t proc proc "$dir/proc"
    mount -t sysfs sysfs "$dir/sys"
    mount -t bpf bpf "$dir/sys/fs/bpf" 2>/dev/null || true
    mount --rbind /dev "$dir/dev"
    mount -t tmpfs -o mode=755 tmpfs "$dir/run"
    mkdir -p "$dir/run/lock"
    mount -t tmpfs -o mode=1777 tmpfs "$dir/tmp"
    exec chroot "$dir" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin CI="${CI:-}" "$@"
  ' debian-root "$dir" "$@"
}

# Through /root: debian_root_run mounts an empty /tmp.
debian_root_install_deb() {
  local dir=$1 deb=$2
  cp "$deb" "$dir/root/install.deb"
  debian_root_run "$dir" bash -euc '
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends /root/install.deb >/dev/null
    rm -f /root/install.deb'
}
