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
# Open vSwitch on the kernel datapath, private to DIR (sockets, pid files, logs, conf.db):
#   vm_ovs_start DIR [KEY=VALUE...]   ovsdb-server + ovs-vswitchd; the Open_vSwitch
#                               other_config KEY=VALUEs are set before ovs-vswitchd starts
#   vm_ovs_vsctl DIR ARGS...    ovs-vsctl against DIR's ovsdb-server
#   vm_ovs_ctl DIR              path of ovs-vswitchd's unixctl socket
#   vm_ovs_appctl DIR ARGS...   ovs-appctl to ovs-vswitchd
#   vm_ovs_restart_vswitchd DIR wait for upcall handler threads, then restart ovs-vswitchd
#                               (the first one after modprobe openvswitch may have none)
#   vm_ovs_stop DIR             stop both, remove the database and the ovs-system device

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

vm_ovs_vsctl() { # DIR ARGS...
  local dir=$1
  shift
  ovs-vsctl --db="unix:$dir/db.sock" --timeout=30 "$@"
}

vm_ovs_ctl() { # DIR
  echo "$1/ovs-vswitchd.$(cat "$1/ovs-vswitchd.pid").ctl"
}

vm_ovs_appctl() { # DIR ARGS...
  local dir=$1
  shift
  ovs-appctl -t "$(vm_ovs_ctl "$dir")" "$@"
}

_vm_ovs_vswitchd() { # DIR
  ovs-vswitchd "unix:$1/db.sock" --pidfile="$1/ovs-vswitchd.pid" --log-file="$1/ovs-vswitchd.log" \
    --detach --no-chdir
}

vm_ovs_start() { # DIR [KEY=VALUE...]
  local dir=$1 kv
  shift
  local config=()
  for kv in "$@"; do config+=("other_config:$kv"); done
  mkdir -p "$dir" &&
    ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb-server.pid" \
      --log-file="$dir/ovsdb-server.log" --detach --no-chdir &&
    vm_ovs_vsctl "$dir" --no-wait init || return 1
  # hw-offload and tc-policy are read once at start-up: set them first.
  if [ ${#config[@]} -gt 0 ]; then
    vm_ovs_vsctl "$dir" --no-wait set Open_vSwitch . "${config[@]}" || return 1
  fi
  _vm_ovs_vswitchd "$dir"
}

# The first ovs-vswitchd after the openvswitch module loads can start with
# no upcall handlers ("Overriding n-handler-threads to 0" in its log; the
# CPU count arrives seconds later) and then drops every packet that misses
# the datapath even after handlers appear. Wait for handlers, restart it.
_vm_ovs_handlers_up() { # DIR
  grep 'n-handler-threads to' "$1/ovs-vswitchd.log" | tail -n 1 | grep -q 'to [1-9]'
}

vm_ovs_restart_vswitchd() { # DIR
  local dir=$1
  vm_wait_for 20 _vm_ovs_handlers_up "$dir" || {
    echo "vm_ovs_restart_vswitchd: ovs-vswitchd never reported upcall handler threads ($dir/ovs-vswitchd.log)" >&2
    return 1
  }
  kill "$(cat "$dir/ovs-vswitchd.pid")" && vm_wait_for 10 sh -c "! test -e $dir/ovs-vswitchd.pid" &&
    _vm_ovs_vswitchd "$dir"
}

vm_ovs_stop() { # DIR
  local dir=$1 d
  for d in ovs-vswitchd ovsdb-server; do
    [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null
  done
  sleep 0.5
  rm -f "$dir"/*.pid "$dir/conf.db" "$dir/db.sock"
  ip link del ovs-system 2>/dev/null
  return 0
}
