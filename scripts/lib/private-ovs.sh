# An Open vSwitch of one's own for host scripts (demo, host end-to-end
# tests): ovsdb-server and ovs-vswitchd with the userspace datapath, every
# file (db, sockets, pids, logs) in one directory, no system service.
# Source it; run in a private network namespace (unshare --net) so the
# `ovs-netdev` tap never meets another instance's. Callers export
# OVS_RUNDIR=OVS_LOGDIR=OVS_DBDIR=DIR so ovs-appctl and ovs-ofctl find it.

# DIR [KEY=VALUE ...]: starts it; the Open_vSwitch other_config KEY=VALUEs
# are set before ovs-vswitchd starts (some, like userspace-tso-enable, are
# read only then).
private_ovs_start() {
  local dir=$1 kv
  shift
  mkdir -p "$dir" &&
    ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema &&
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" --pidfile="$dir/ovsdb-server.pid" \
      --unixctl="$dir/ovsdb-server.ctl" --log-file="$dir/ovsdb-server.log" --detach --no-chdir 2>/dev/null &&
    ovs-vsctl --db="unix:$dir/db.sock" --no-wait init || return 1
  for kv in "$@"; do
    ovs-vsctl --db="unix:$dir/db.sock" --no-wait set Open_vSwitch . "other_config:$kv" || return 1
  done
  ovs-vswitchd "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" --log-file="$dir/ovs-vswitchd.log" \
    --detach --no-chdir --disable-system 2>/dev/null
}

# DIR: stops both daemons (best effort; for EXIT traps).
private_ovs_stop() {
  local d
  for d in ovs-vswitchd ovsdb-server; do
    [ -f "$1/$d.pid" ] && kill "$(cat "$1/$d.pid")" 2>/dev/null
  done
  return 0
}
