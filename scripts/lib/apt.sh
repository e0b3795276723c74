# shellcheck shell=bash
# Shared apt helpers for the install scripts (source this file).
#   apt_installed PKG             true when PKG (may be PKG:ARCH) is installed
#   apt_missing PKG...            prints the packages that are not installed
#   apt_update_if_stale           one `apt-get update` per machine: only when the lists are missing or > 1 day old
#   apt_install NAME PKG...       installs PKG... with --no-remove (never lets apt drop other packages)
# $SUDO is "sudo" for non-root callers, empty for root.

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive

apt_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_missing() {
  local p
  for p in "$@"; do apt_installed "$p" || echo "$p"; done
}

apt_update_if_stale() {
  local stamp=/var/lib/apt/periodic/update-success-stamp lists
  lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)
  if [ -z "$lists" ] && { [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; }; then
    $SUDO apt-get update -q -o DPkg::Lock::Timeout=600
  fi
}

apt_install() {
  local name=$1
  shift
  echo "$name: installing $*"
  # Another apt (a package install in another shell) holds the lock for a
  # while: wait for it instead of failing at once.
  $SUDO apt-get install -y -q --no-remove --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}
