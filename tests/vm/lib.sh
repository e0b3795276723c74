# shellcheck shell=bash
# Helpers for scripts that tests/vm/run.sh runs inside the VM.
#   . "$SNOC_VM_LIB"          (run.sh exports the path of this file)
#
# Checks and the closing line:
#   vm_check NAME CMD...        run CMD, count it passed or failed, print "ok"/"FAIL" + NAME
#   vm_check_output NAME REGEX CMD...   CMD must succeed and its output match REGEX (grep -E)
#   vm_check_fails NAME REGEX CMD...    CMD must fail and its output match REGEX
#   vm_skip NAME REASON         count a skip
#   vm_summary                  print "N passed, N failed[, N skipped]"; returns 1 on any failure
# netdevsim (the patched module built by setup.sh; see kernel-patches/):
#   vm_netdevsim_load [PARAM=VALUE...]   (re)load netdevsim with these parameters
#   vm_netdevsim_create ID NUM_VFS [NUM_PORTS]  device ID in switchdev mode with NUM_VFS
#                               VF representors; prints "PHYS_PORT_NAME NETDEV" lines
#   vm_netdevsim_delete ID
#   vm_netdev_by_port_name ID NAME   netdev of device ID whose phys_port_name is NAME
#                               (p1 = first uplink, pf0vf0, pf0vf1, ...); never rely on ethN names
#   vm_netdevsim_ports ID       "PHYS_PORT_NAME NETDEV" for every netdev of device ID
#   vm_wait_for SECONDS CMD...  retry CMD every 0.1 s until it succeeds

VM_PASSED=0
VM_FAILED=0
VM_SKIPPED=0
VM_LAST_OUTPUT=

if [ "${SNOC_IN_VM:-}" != 1 ]; then
  echo "lib.sh: not inside the VM tier (SNOC_IN_VM unset): run through tests/vm/run.sh" >&2
fi

_vm_indent() { sed 's/^/    | /'; }

vm_check() { # NAME CMD...
  local name=$1
  shift
  if VM_LAST_OUTPUT=$("$@" 2>&1); then
    VM_PASSED=$((VM_PASSED + 1))
    echo "ok   $name"
  else
    local rc=$?
    VM_FAILED=$((VM_FAILED + 1))
    echo "FAIL $name (exit $rc: $*)"
    [ -z "$VM_LAST_OUTPUT" ] || printf '%s\n' "$VM_LAST_OUTPUT" | _vm_indent
  fi
}

vm_check_output() { # NAME REGEX CMD...
  local name=$1 re=$2
  shift 2
  local rc=0
  VM_LAST_OUTPUT=$("$@" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ] && printf '%s\n' "$VM_LAST_OUTPUT" | grep -Eq -- "$re"; then
    VM_PASSED=$((VM_PASSED + 1))
    echo "ok   $name"
  else
    VM_FAILED=$((VM_FAILED + 1))
    echo "FAIL $name (exit $rc, wanted /$re/: $*)"
    printf '%s\n' "$VM_LAST_OUTPUT" | _vm_indent
  fi
}

vm_check_fails() { # NAME REGEX CMD...
  local name=$1 re=$2
  shift 2
  local rc=0
  VM_LAST_OUTPUT=$("$@" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ] && printf '%s\n' "$VM_LAST_OUTPUT" | grep -Eq -- "$re"; then
    VM_PASSED=$((VM_PASSED + 1))
    echo "ok   $name"
  else
    VM_FAILED=$((VM_FAILED + 1))
    echo "FAIL $name (exit $rc, wanted a failure matching /$re/: $*)"
    printf '%s\n' "$VM_LAST_OUTPUT" | _vm_indent
  fi
}

vm_skip() { # NAME REASON
  VM_SKIPPED=$((VM_SKIPPED + 1))
  echo "skip $1 ($2)"
}

vm_summary() {
  if [ "$VM_SKIPPED" -gt 0 ]; then
    echo "$VM_PASSED passed, $VM_FAILED failed, $VM_SKIPPED skipped"
  else
    echo "$VM_PASSED passed, $VM_FAILED failed"
  fi
  [ "$VM_FAILED" -eq 0 ]
}

vm_wait_for() { # SECONDS CMD...
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

vm_netdevsim_load() { # [PARAM=VALUE...]
  if [ -d /sys/module/netdevsim ]; then
    rmmod netdevsim || return 1
  fi
  if ! modprobe netdevsim "$@" 2>/dev/null; then
    # Not in the module tree's index: load its dependency, then the file.
    modprobe psample 2>/dev/null
    insmod "${SNOC_NETDEVSIM_KO:?SNOC_NETDEVSIM_KO unset}" "$@" || return 1
  fi
  [ -d /sys/bus/netdevsim ]
}

vm_netdevsim_ports() { # ID
  local n
  for n in /sys/bus/netdevsim/devices/netdevsim"$1"/net/*; do
    [ -e "$n" ] || continue
    echo "$(cat "$n/phys_port_name" 2>/dev/null || echo '?') ${n##*/}"
  done
}

vm_netdev_by_port_name() { # ID NAME
  local n
  for n in /sys/bus/netdevsim/devices/netdevsim"$1"/net/*; do
    [ -e "$n" ] || continue
    if [ "$(cat "$n/phys_port_name" 2>/dev/null)" = "$2" ]; then
      echo "${n##*/}"
      return 0
    fi
  done
  echo "vm_netdev_by_port_name: no netdev with phys_port_name $2 on netdevsim$1" >&2
  return 1
}

_vm_netdevsim_count() { # ID: number of netdevs of the device
  local c=0 n
  for n in /sys/bus/netdevsim/devices/netdevsim"$1"/net/*; do
    [ -e "$n" ] && c=$((c + 1))
  done
  echo "$c"
}

_vm_netdevsim_has() { # ID COUNT
  [ "$(_vm_netdevsim_count "$1")" -eq "$2" ]
}

vm_netdevsim_create() { # ID NUM_VFS [NUM_PORTS]
  local id=$1 vfs=$2 ports=${3:-1}
  [ -d /sys/bus/netdevsim ] || vm_netdevsim_load || return 1
  echo "$id $ports" >/sys/bus/netdevsim/new_device || return 1
  vm_wait_for 10 test -d "/sys/bus/netdevsim/devices/netdevsim$id/net" || {
    echo "vm_netdevsim_create: netdevsim$id did not appear" >&2
    return 1
  }
  # Linux 6.1 netdevsim accepts either order (sriov_numvfs first, then
  # switchdev, or the reverse); VF representors exist only in switchdev mode.
  if [ "$vfs" -gt 0 ]; then
    echo "$vfs" >"/sys/bus/netdevsim/devices/netdevsim$id/sriov_numvfs" || return 1
  fi
  devlink dev eswitch set "netdevsim/netdevsim$id" mode switchdev || return 1
  vm_wait_for 10 _vm_netdevsim_has "$id" $((ports + vfs)) || {
    echo "vm_netdevsim_create: netdevsim$id has $(_vm_netdevsim_count "$id") netdevs, wanted $((ports + vfs))" >&2
    return 1
  }
  vm_netdevsim_ports "$id"
}

vm_netdevsim_delete() { # ID
  echo "$1" >/sys/bus/netdevsim/del_device
}
