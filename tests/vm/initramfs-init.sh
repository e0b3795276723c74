#!/bin/busybox sh
# Stage 1 of the VM tier's guest boot: the /init of the busybox initramfs that
# tests/vm/setup.sh builds. It loads the few modules needed to reach the host
# (virtio_pci, 9p, overlay), mounts the host's / read-only over virtio-9p with a
# tmpfs overlay on top, mounts the job share, makes the guest kernel's module
# tree visible at /lib/modules/<guest version>, and hands over to stage 2
# (tests/vm/guest-init.sh, copied into the job share by tests/vm/run.sh).
#
# Kernel command line it reads:
#   snoc_kver=VER        guest kernel version (directory name under /lib/modules)
#   snoc_modules=PATH    host path of the guest kernel's module tree (in the cache)
#   snoc_out=PATH        optional: a writable host directory (9p tag out) to
#                        mount at the same path
#   snoc_debug=1         optional: print a timeline on the console
# Any failure powers the VM off at once; run.sh then reports a VM failure (125)
# with the console log.

/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

die() {
  echo "snoc-vm init: $*" >&2
  echo "snoc-vm init: powering off" >&2
  sync
  poweroff -f
  sleep 5
  echo o >/proc/sysrq-trigger
}

mount -t proc proc /proc || die "cannot mount /proc"
mount -t sysfs sysfs /sys || die "cannot mount /sys"
mount -t devtmpfs devtmpfs /dev || die "cannot mount /dev"

kver=
modpath=
outpath=
debug=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    snoc_debug=1) debug=1 ;;
    snoc_kver=*) kver=${arg#snoc_kver=} ;;
    snoc_modules=*) modpath=${arg#snoc_modules=} ;;
    snoc_out=*) outpath=${arg#snoc_out=} ;;
  esac
done
mark() { [ -z "$debug" ] || echo "snoc-vm init: $(cut -d' ' -f1 /proc/uptime 2>/dev/null || cut -d' ' -f1 /newroot/proc/uptime) $*"; }
mark "stage 1"
[ -n "$kver" ] && [ -n "$modpath" ] || die "snoc_kver= or snoc_modules= missing from the kernel command line"

# Modules in dependency order (modules.list is written by setup.sh).
while read -r ko; do
  [ -n "$ko" ] || continue
  insmod "/modules/$ko" || die "insmod $ko failed"
done </modules.list
mark "modules loaded"

# The virtio devices are probed as the modules load; the 9p channels may show
# up a moment later.
mount9p() { # TAG DIR OPTIONS
  local i=0
  while [ $i -lt 50 ]; do
    if mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$3" "$1" "$2" 2>/dev/null; then
      return 0
    fi
    i=$((i + 1))
    sleep 0.1
  done
  mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$3" "$1" "$2"
}

mkdir -p /hostroot /rw /newroot
# cache=loose: the host tree is read-only for the guest and does not change
# during a test run; caching makes exec and library loads much faster.
mount9p hostroot /hostroot ro,cache=loose || die "cannot mount the host root (9p tag hostroot)"
mark "host root mounted"
mount -t tmpfs -o mode=0755 rw /rw || die "cannot mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/hostroot,upperdir=/rw/upper,workdir=/rw/work /newroot ||
  die "cannot mount the overlay root"
mark "overlay mounted"

mount -t tmpfs -o mode=0755,nosuid,nodev run /newroot/run || die "cannot mount /run"
mkdir -p /newroot/run/snoc-vm
# The job share: no caching, so that output written by the guest reaches the
# host at once (run.sh streams it).
mount9p job /newroot/run/snoc-vm cache=none || die "cannot mount the job share (9p tag job)"
mark "job share mounted"

# run.sh --out DIR: that host directory, writable, at the same path.
if [ -n "$outpath" ]; then
  mkdir -p "/newroot$outpath"
  mount9p out "/newroot$outpath" cache=none || die "cannot mount the output directory (9p tag out)"
fi

[ -d "/newroot$modpath" ] || die "guest module tree $modpath not visible through the host root"
mkdir -p "/newroot/lib/modules/$kver" || die "cannot create /lib/modules/$kver"
mount --bind "/newroot$modpath" "/newroot/lib/modules/$kver" || die "cannot bind the module tree"

[ -f /newroot/run/snoc-vm/guest-init.sh ] || die "no guest-init.sh in the job share"

# The pseudo file systems the tests expect, mounted in place with busybox:
# every exec of a dynamically linked host binary costs a lot under TCG, so
# stage 2 does as little as possible.
mount --move /dev /newroot/dev
mount --move /sys /newroot/sys
mount --move /proc /newroot/proc
r=/newroot
mkdir -p $r/dev/pts $r/dev/shm $r/dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev shm $r/dev/shm
mount -t debugfs debugfs $r/sys/kernel/debug || die "cannot mount debugfs"
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup 2>/dev/null
mount -t bpf bpf $r/sys/fs/bpf 2>/dev/null
ln -sf /proc/self/fd $r/dev/fd
ln -sf /proc/self/fd/0 $r/dev/stdin
ln -sf /proc/self/fd/1 $r/dev/stdout
ln -sf /proc/self/fd/2 $r/dev/stderr
mkdir -p $r/run/netns $r/run/lock $r/var/tmp
hostname snoc-vm
ip link set lo up || die "cannot bring lo up"
mark "switch_root"
exec switch_root /newroot /bin/bash /run/snoc-vm/guest-init.sh
