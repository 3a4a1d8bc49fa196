#!/usr/bin/env bash
# Installs what Terrarium's lab and tests drive for real: LXD, Incus (bookworm-backports), WireGuard (userspace),
# nftables, OVN/OVS, Pebble (the test ACME CA), plus clang for the NativeAOT build and man-db/systemd for the package checks.
# Idempotent; needs root and Debian 12.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root (sudo)" >&2; exit 2; }
command -v dotnet >/dev/null || { echo "install-deps.sh: the .NET 10 SDK (dotnet) is required on PATH" >&2; exit 1; }

PKGS=(lxd lxd-client lxcfs liblxc1 uidmap squashfs-tools busybox-static dnsmasq-base rsync xz-utils
      iproute2 util-linux nftables wireguard-tools wireguard-go iputils-ping socat jq curl wget openssl ethtool
      openvswitch-switch openvswitch-common ovn-central ovn-host ovn-common clang zlib1g-dev
      man-db systemd pebble)
# Incus 6.0.4 for the real-Incus lab tests comes from Debian's own bookworm-backports suite (same archive).
BACKPORTS=(incus-base incus-client)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need=()
for p in "${PKGS[@]}"; do installed "$p" || need+=("$p"); done
need_bp=()
for p in "${BACKPORTS[@]}"; do installed "$p" || need_bp+=("$p"); done
[ "${#need[@]}" -eq 0 ] && [ "${#need_bp[@]}" -eq 0 ] && exit 0

# Never let a package's postinst start a system-wide daemon (lxd, ovs, ovn) in the root namespace:
# the lab starts its own, one per node.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
if [ "${#need_bp[@]}" -gt 0 ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    > /etc/apt/sources.list.d/terrarium-backports.sources
fi
echo "install-deps.sh: installing ${need[*]} ${need_bp[*]}" >&2
apt-get -o DPkg::Lock::Timeout=600 update -qq
if [ "${#need[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "${#need_bp[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends -t bookworm-backports "${need_bp[@]}" >/dev/null
fi
