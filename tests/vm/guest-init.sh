#!/bin/bash
# Stage 2 of the VM tier's guest boot: PID 1 after switch_root into the overlay
# of the host's / (see tests/vm/initramfs-init.sh). tests/vm/run.sh copies this
# file into the job share (/run/snoc-vm in the guest) together with:
#   env.sh      variables for the test scripts (SNOC_IN_VM, SNOC_NETDEVSIM_KO, ...)
#   job.N.sh    one per test script: cd to the caller's directory, run it with bash
# and reads back what this writes there:
#   output      the scripts' stdout and stderr, written as they run (streamed)
#   rc.N        each script's exit status
#   dmesg       the kernel log at the end
#   done        written last: the guest finished normally
# Then the VM powers off (sysrq o). PID 1 must never exit: that would panic.

job=/run/snoc-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022

poweroff_now() {
  sync
  echo s >/proc/sysrq-trigger 2>/dev/null
  echo o >/proc/sysrq-trigger
  sleep 30
}

fail() {
  echo "snoc-vm guest-init: $*" | tee -a "$job/output" >&2
  dmesg >"$job/dmesg" 2>/dev/null
  poweroff_now
}

# The mounts (proc, sys, dev, debugfs, ...), the hostname and lo are set up by
# stage 1 with busybox, which is much cheaper under TCG than host binaries.
[ -f "$job/env.sh" ] || fail "no env.sh in the job share"
# shellcheck source=/dev/null
. "$job/env.sh"

[ -z "$SNOC_VM_DEBUG" ] || echo "snoc-vm guest-init: $(cut -d" " -f1 /proc/uptime) stage 2" >>"$job/output"
for ((i = 1; i <= SNOC_VM_NSCRIPTS; i++)); do
  if [ "$SNOC_VM_NSCRIPTS" -gt 1 ]; then
    read -r _ _ title <"$job/job.$i.sh"
    echo "=== vm: [$i/$SNOC_VM_NSCRIPTS] $title" >>"$job/output"
  fi
  bash "$job/job.$i.sh" </dev/null >>"$job/output" 2>&1
  echo $? >"$job/rc.$i"
done
dmesg >"$job/dmesg" 2>/dev/null
echo ok >"$job/done"
poweroff_now
