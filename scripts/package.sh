#!/usr/bin/env bash
# Builds the Debian package out/terrarium_VERSION_amd64.deb offline (dpkg-deb, no network) from out/terrariumctl:
# the binary, the systemd units, bash, zsh and fish completion and the man page (all generated from the command tree),
# README and changelog. Run scripts/build.sh first (it is run here when out/terrariumctl is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x out/terrariumctl ] || bash scripts/build.sh
bin=out/terrariumctl
version=$("$bin" --version | cut -d+ -f1)
stage=$(mktemp -d)
chmod 0755 "$stage"
trap 'rm -rf "$stage"' EXIT

install -D -m 0755 "$bin" "$stage/usr/bin/terrariumctl"
"$bin" units --binary /usr/bin/terrariumctl --dir "$stage/lib/systemd/system"
chmod 0644 "$stage"/lib/systemd/system/*.service
install -d "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" "$stage/usr/share/fish/vendor_completions.d" \
  "$stage/usr/share/man/man1" "$stage/usr/share/doc/terrarium"
"$bin" completion bash > "$stage/usr/share/bash-completion/completions/terrariumctl"
"$bin" completion zsh > "$stage/usr/share/zsh/vendor-completions/_terrariumctl"
"$bin" completion fish > "$stage/usr/share/fish/vendor_completions.d/terrariumctl.fish"
# Reproducible: the page's date is the last commit's.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s) "$bin" man | gzip -9n > "$stage/usr/share/man/man1/terrariumctl.1.gz"
install -m 0644 README.md "$stage/usr/share/doc/terrarium/README.md"
# README's links point into docs/: the pages travel with it, and Traefik's example static configuration.
install -d "$stage/usr/share/doc/terrarium/docs" "$stage/usr/share/doc/terrarium/examples"
install -m 0644 docs/*.md "$stage/usr/share/doc/terrarium/docs/"
install -m 0644 docs/examples/traefik.yml "$stage/usr/share/doc/terrarium/examples/traefik.yml"
date=$(git log -1 --format=%aD 2>/dev/null || date -R)
cat > "$stage/usr/share/doc/terrarium/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: terrarium
Files: *
Copyright: the Terrarium authors
License: Apache-2.0
COPYRIGHT
{
  echo "terrarium ($version) unstable; urgency=medium"
  echo
  cat packaging/changelog.txt   # written for users; history lives in git
  echo
  echo " -- Terrarium developers <terrarium@localhost>  $date"
} | gzip -9n > "$stage/usr/share/doc/terrarium/changelog.Debian.gz"
chmod 0644 "$stage"/usr/share/bash-completion/completions/terrariumctl "$stage"/usr/share/zsh/vendor-completions/_terrariumctl \
  "$stage"/usr/share/fish/vendor_completions.d/terrariumctl.fish \
  "$stage"/usr/share/man/man1/terrariumctl.1.gz
find "$stage/usr/share/doc/terrarium" -type f -exec chmod 0644 {} +

install -d "$stage/DEBIAN"
cat > "$stage/DEBIAN/control" <<CONTROL
Package: terrarium
Version: $version
Architecture: amd64
Maintainer: Terrarium developers <terrarium@localhost>
Installed-Size: $(du -sk "$stage" --exclude=DEBIAN | cut -f1)
Depends: iproute2, nftables, wireguard-tools
Recommends: wireguard-go, openvswitch-switch, ovn-host, ovn-central
Suggests: lxd | incus
Section: admin
Priority: optional
Homepage: https://example.invalid/terrarium
Description: clustering layer for LXD and Incus servers
 terrariumctl turns several Linux servers running LXD or Incus into one cluster:
 an encrypted WireGuard full mesh for all cluster traffic, a locked-down
 firewall, the OVN workload network and its PKI, workload operations and
 Traefik routing on every node, kept in step by an agent on each server.
CONTROL
# Maintainer scripts honour DPKG_ROOT (an install into another root touches no running systemd).
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d "${DPKG_ROOT:-}/run/systemd/system" ] && [ -z "${DPKG_ROOT:-}" ]; then
  systemctl daemon-reload || true
  # An upgrade: a running agent restarts on the new binary; the units stay enabled as they were.
  if [ -n "$2" ]; then systemctl try-restart terrarium-agent.service || true; fi
fi
POSTINST
cat > "$stage/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ] && [ -z "${DPKG_ROOT:-}" ]; then
  systemctl stop terrarium-agent.service || true
fi
PRERM
cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  # No unit is left behind: the enablement links and any unit init/join wrote. The cluster's keys and
  # identity under /etc/terrarium stay (a purge must not orphan a running member); see README.
  rm -f "${DPKG_ROOT:-}"/etc/systemd/system/terrarium-mesh.service "${DPKG_ROOT:-}"/etc/systemd/system/terrarium-agent.service
  rm -f "${DPKG_ROOT:-}"/etc/systemd/system/*.wants/terrarium-mesh.service "${DPKG_ROOT:-}"/etc/systemd/system/*.wants/terrarium-agent.service
fi
if [ -d /run/systemd/system ] && [ -z "${DPKG_ROOT:-}" ]; then systemctl daemon-reload || true; fi
POSTRM
chmod 0755 "$stage"/DEBIAN/postinst "$stage"/DEBIAN/prerm "$stage"/DEBIAN/postrm
deb="out/terrarium_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "built $(pwd)/$deb" >&2
