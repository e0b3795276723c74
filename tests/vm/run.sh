#!/usr/bin/env bash
# Runs test scripts inside a VM with a stock Debian kernel (docs/vm-tier.md).
#
# Usage: tests/vm/run.sh [OPTIONS] SCRIPT [ARGS...] [:: SCRIPT [ARGS...]]...
#   Boots the VM prepared by tests/vm/setup.sh, runs each SCRIPT (a path on
#   the host; the guest sees the host's / read-only with a tmpfs overlay) with
#   bash, in the current directory, one after the other in the same boot, and
#   powers off. Their stdout and stderr are streamed to stdout as they run.
#   Inside the guest: SNOC_IN_VM=1, SNOC_VM_KVER (guest kernel version),
#   SNOC_NETDEVSIM_KO (the patched netdevsim.ko; "modprobe netdevsim" works
#   too), SNOC_VM_LIB (tests/vm/lib.sh), and every SNOC_* variable of the
#   caller's environment.
# Options:
#   --mem MB        guest memory (default 1024)
#   --cpus N        guest vCPUs (default 2)
#   --timeout SEC   whole run, boot included (default 600)
#   --out DIR       make the host directory DIR writable in the guest, at the
#                   same path (SNOC_VM_OUT=DIR there); everything else the
#                   guest writes goes to a tmpfs and is lost at power-off
#   --keep          keep the job directory (output, dmesg, console log)
#   --debug         print the boot timeline (kernel console) as well
# Exit status: the first failing script's status (0 when all pass); 124 when
#   the run timed out; 125 when the VM failed (not set up, did not boot, died);
#   the kernel log is printed on any failure.
# Environment: SNOC_VM_CACHE (as for setup.sh), SNOC_VM_CPU (qemu -cpu,
#   default max), SNOC_VM_QEMU (default qemu-system-x86_64).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
mem=1024
cpus=2
timeout=600
keep=0
debug=0
out=

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
vmfail() { echo "vm: error: $*" >&2; exit 125; }

while [ $# -gt 0 ]; do
  case "$1" in
    --mem) mem=${2:?--mem needs a value}; shift 2 ;;
    --cpus) cpus=${2:?--cpus needs a value}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --keep) keep=1; shift ;;
    --debug) debug=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) echo "vm: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }
[[ "$mem" =~ ^[0-9]+$ && "$cpus" =~ ^[0-9]+$ && "$timeout" =~ ^[0-9]+$ ]] ||
  { echo "vm: --mem, --cpus and --timeout take numbers" >&2; exit 2; }

cache=${SNOC_VM_CACHE:-${XDG_CACHE_HOME:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache}/snoc-vm}
[ -f "$cache/current.env" ] || vmfail "the VM tier is not set up ($cache/current.env missing): run tests/vm/setup.sh"
cache=$(realpath "$cache")
# A shared lock: setup.sh takes it exclusively while it rewrites the cache.
exec 9>>"$cache/.lock"
flock -s -w 600 9 || vmfail "cannot lock $cache (setup.sh running?)"
# shellcheck source=/dev/null
. "$cache/current.env"
for f in "$SNOC_VM_VMLINUX" "$SNOC_VM_INITRAMFS" "$SNOC_NETDEVSIM_KO"; do
  [ -f "$f" ] || vmfail "$f missing: run tests/vm/setup.sh"
done
[ -d "$SNOC_VM_MODULES" ] || vmfail "$SNOC_VM_MODULES missing: run tests/vm/setup.sh"
qemu=${SNOC_VM_QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || vmfail "$qemu not found: run tests/vm/setup.sh"

if [ -n "$out" ]; then
  mkdir -p "$out" || vmfail "cannot create $out"
  out=$(realpath "$out")
  case "$out" in
    / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/*) vmfail "--out $out: not a usable directory" ;;
  esac
fi
for p in "$cache" "$out" "${TMPDIR:-/tmp}"; do
  case "$p" in
    *[[:space:],]*) vmfail "'$p': paths with spaces or commas cannot be passed to qemu / the kernel command line" ;;
  esac
done
cwd=$(pwd -P)
case "$cwd" in
  /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/*)
    vmfail "the current directory $cwd is hidden in the guest (fresh /proc /sys /dev /run there)" ;;
esac

job=$(mktemp -d "${TMPDIR:-/tmp}/snoc-vm-job.XXXXXX") || vmfail "mktemp failed"
job=$(realpath "$job")
qpid=
tpid=
cleanup() {
  [ -z "$qpid" ] || kill "$qpid" 2>/dev/null
  [ -z "$tpid" ] || kill "$tpid" 2>/dev/null
  if [ "$keep" -eq 1 ]; then echo "vm: job directory kept: $job" >&2; else rm -rf "$job"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the job: one job.N.sh per script, env.sh, the stage-2 init
n=0
titles=()
while [ $# -gt 0 ]; do
  script=$1
  shift
  sargs=()
  while [ $# -gt 0 ] && [ "$1" != "::" ]; do
    sargs+=("$1")
    shift
  done
  [ $# -eq 0 ] || shift # the ::
  [ -f "$script" ] || { echo "vm: no such script: $script" >&2; exit 2; }
  script=$(realpath "$script")
  n=$((n + 1))
  titles+=("${script#"$cwd"/}${sargs[*]:+ ${sargs[*]}}")
  {
    echo "# script: ${titles[-1]}"
    printf 'cd -- %q || exit 125\n' "$cwd"
    printf 'exec bash --' && printf ' %q' "$script" "${sargs[@]}" && echo
  } >"$job/job.$n.sh"
done

{
  echo "export SNOC_IN_VM=1"
  printf 'export %s=%q\n' SNOC_VM_KVER "$SNOC_VM_KVER" SNOC_NETDEVSIM_KO "$SNOC_NETDEVSIM_KO" \
    SNOC_VM_LIB "$here/lib.sh" SNOC_VM_NSCRIPTS "$n" SNOC_VM_DEBUG "$([ "$debug" -eq 1 ] && echo 1)" \
    SNOC_VM_OUT "$out"
  for v in "${!SNOC_@}"; do
    case "$v" in
      SNOC_IN_VM | SNOC_VM_KVER | SNOC_NETDEVSIM_KO | SNOC_VM_LIB | SNOC_VM_NSCRIPTS | SNOC_VM_DEBUG | SNOC_VM_OUT) ;;
      SNOC_VM_VMLINUX | SNOC_VM_INITRAMFS | SNOC_VM_MODULES | SNOC_VM_KERNEL_VERSION) ;;
      *) printf 'export %s=%q\n' "$v" "${!v}" ;;
    esac
  done
} >"$job/env.sh"
cp "$here/guest-init.sh" "$job/guest-init.sh"
: >"$job/output"

# ---- boot
cmdline="console=ttyS0 loglevel=4 panic=-1 mitigations=off"
cmdline+=" snoc_kver=$SNOC_VM_KVER snoc_modules=$SNOC_VM_MODULES"
[ "$debug" -eq 0 ] || cmdline+=" snoc_debug=1"
[ -z "$out" ] || cmdline+=" snoc_out=$out"
# TCG only: this host's KVM cannot run a stock kernel (docs/vm-tier.md).
qemu_args=(
  -machine q35,accel=tcg -cpu "${SNOC_VM_CPU:-max}" -smp "$cpus" -m "$mem"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "$SNOC_VM_VMLINUX" -initrd "$SNOC_VM_INITRAMFS" -append "$cmdline"
  -serial "file:$job/console.log"
  -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap"
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
  -fsdev "local,id=job,path=$job,security_model=none,multidevs=remap"
  -device virtio-9p-pci,fsdev=job,mount_tag=job
)
if [ -n "$out" ]; then
  qemu_args+=(
    -fsdev "local,id=out,path=$out,security_model=none,multidevs=remap"
    -device virtio-9p-pci,fsdev=out,mount_tag=out)
fi
start=$(date +%s.%N)
timeout -k 5 "$timeout" "$qemu" "${qemu_args[@]}" </dev/null >"$job/qemu.log" 2>&1 &
qpid=$!
tail -s 0.2 -n +1 -f --pid="$qpid" "$job/output" &
tpid=$!
wait "$qpid"
qrc=$?
qpid=
wait "$tpid" 2>/dev/null
tpid=
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')

show_kernel_log() {
  if [ -s "$job/dmesg" ]; then
    # From the start of user space: the boot messages before it rarely matter.
    echo "--- vm: guest kernel log since /init (last 80 lines)" >&2
    awk '/Run \/init as init process/ {p = 1} p' "$job/dmesg" | tail -n 80 >&2
  else
    echo "--- vm: guest console (last 80 lines)" >&2
    tail -n 80 "$job/console.log" >&2 2>/dev/null
  fi
  if [ -s "$job/qemu.log" ]; then
    echo "--- vm: qemu said" >&2
    tail -n 20 "$job/qemu.log" >&2
  fi
}

if [ "$debug" -eq 1 ]; then
  echo "--- vm: console" >&2
  cat "$job/console.log" >&2
fi
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
  show_kernel_log
  echo "vm: timed out after $timeout s" >&2
  exit 124
fi
if [ ! -f "$job/done" ]; then
  show_kernel_log
  echo "vm: the VM stopped before the scripts finished (qemu exit status $qrc, $elapsed s)" >&2
  exit 125
fi

status=0
failed=()
for ((i = 1; i <= n; i++)); do
  rc=$(cat "$job/rc.$i" 2>/dev/null || echo 125)
  if [ "$rc" != 0 ]; then
    failed+=("${titles[i - 1]} (exit $rc)")
    [ "$status" -ne 0 ] || status=$rc
  fi
done
if [ "$status" -ne 0 ]; then
  show_kernel_log
  printf 'vm: failed: %s\n' "${failed[@]}" >&2
fi
echo "vm: $((n - ${#failed[@]})) of $n script(s) succeeded; VM run $elapsed s (boot included)" >&2
exit "$status"
