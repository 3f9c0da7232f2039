#!/usr/bin/env bash
# Builds Vigie's Debian packages and the offline bundle into target/packages/:
#   vigie-agent_VERSION_amd64.deb   the agent, for every monitored server
#   vigie-server_VERSION_amd64.deb  collector, dashboard and the `vigie` command, for the SOC
#   vigie-VERSION-linux-amd64.tar.gz  all of it with an install script, for sites
#                                    without a package mirror
# Construit les paquets Debian et l'archive hors ligne de Vigie.
#
# Usage: packaging/build.sh            (release build, stripped)
#        BIN_DIR=target/debug packaging/build.sh   (package binaries already built)
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --release --bins -q
    BIN_DIR=target/release
fi
OUT=target/packages
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"

install_bin() { # SRC DEST
    install -D -m 0755 "$1" "$2"
    strip --strip-unneeded "$2" 2>/dev/null || true
}

# ---- vigie-agent ----
A="$WORK/agent"
install_bin "$BIN_DIR/vigie-agent" "$A/usr/bin/vigie-agent"
install -D -m 0644 packaging/systemd/vigie-agent.service "$A/lib/systemd/system/vigie-agent.service"
install -D -m 0640 packaging/etc/agent.toml "$A/etc/vigie/agent.toml"
install -D -m 0644 README.md "$A/usr/share/doc/vigie-agent/README.md"
install -D -m 0644 README.fr.md "$A/usr/share/doc/vigie-agent/README.fr.md"
mkdir -p "$A/DEBIAN"
cat > "$A/DEBIAN/control" <<CONTROL
Package: vigie-agent
Version: $VERSION
Architecture: $ARCH
Maintainer: Vigie <vigie@localhost>
Section: admin
Priority: optional
Depends: adduser, libelf1 | libelf1t64, zlib1g
Description: Vigie agent: file, process and network monitoring for the SOC
 Watches files (SHA-256 integrity), processes and network activity on this server and
 streams them to the Vigie collector, keeping them on disk while the link is down.
 Agent Vigie : surveillance des fichiers, processus et réseau envoyée au collecteur.
CONTROL
echo "/etc/vigie/agent.toml" > "$A/DEBIAN/conffiles"
cat > "$A/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    getent group vigie-agent >/dev/null || addgroup --system vigie-agent
    getent passwd vigie-agent >/dev/null || adduser --system --ingroup vigie-agent \
        --home /var/lib/vigie/agent --no-create-home --shell /usr/sbin/nologin vigie-agent
    mkdir -p /var/lib/vigie/agent
    chown vigie-agent:vigie-agent /var/lib/vigie/agent
    chmod 0700 /var/lib/vigie/agent
    chgrp vigie-agent /etc/vigie/agent.toml
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
    echo "vigie-agent: enroll, then start / enrôler, puis démarrer :"
    echo "  sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token TOKEN"
    echo "  systemctl enable --now vigie-agent"
fi
SCRIPT
cat > "$A/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    systemctl stop vigie-agent.service || true
fi
SCRIPT
chmod 0755 "$A/DEBIAN/postinst" "$A/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$A" "$OUT/vigie-agent_${VERSION}_${ARCH}.deb" >/dev/null

# ---- vigie-server ----
S="$WORK/server"
for b in vigie-collector vigie-dashboard vigie; do
    install_bin "$BIN_DIR/$b" "$S/usr/bin/$b"
done
for u in vigie-collector vigie-dashboard; do
    install -D -m 0644 "packaging/systemd/$u.service" "$S/lib/systemd/system/$u.service"
done
install -D -m 0640 packaging/etc/collector.toml "$S/etc/vigie/collector.toml"
install -D -m 0640 packaging/etc/dashboard.toml "$S/etc/vigie/dashboard.toml"
install -d -m 0750 "$S/etc/vigie/rules.d"
install -D -m 0644 README.md "$S/usr/share/doc/vigie-server/README.md"
install -D -m 0644 README.fr.md "$S/usr/share/doc/vigie-server/README.fr.md"
# The dashboard embeds the DejaVu fonts in its reports: their licence travels with it.
install -D -m 0644 /usr/share/doc/fonts-dejavu-core/copyright "$S/usr/share/doc/vigie-server/fonts-dejavu.copyright"
mkdir -p "$S/DEBIAN"
cat > "$S/DEBIAN/control" <<CONTROL
Package: vigie-server
Version: $VERSION
Architecture: $ARCH
Maintainer: Vigie <vigie@localhost>
Section: admin
Priority: optional
Depends: adduser, libelf1 | libelf1t64, zlib1g
Recommends: clickhouse-server
Description: Vigie SOC site: collector, dashboard and the vigie command
 The collector authenticates agents, runs the detection rules and stores events and
 alerts in ClickHouse; the dashboard serves SOC analysts and auditors.
 Site SOC Vigie : collecteur, tableau de bord et commande vigie.
CONTROL
printf '/etc/vigie/collector.toml\n/etc/vigie/dashboard.toml\n' > "$S/DEBIAN/conffiles"
cat > "$S/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    getent group vigie >/dev/null || addgroup --system vigie
    getent passwd vigie >/dev/null || adduser --system --ingroup vigie \
        --home /var/lib/vigie --no-create-home --shell /usr/sbin/nologin vigie
    mkdir -p /var/lib/vigie/collector /var/lib/vigie/dashboard /var/lib/vigie/audit
    chown vigie:vigie /var/lib/vigie/collector /var/lib/vigie/dashboard /var/lib/vigie/audit
    chmod 0700 /var/lib/vigie/dashboard
    chgrp vigie /etc/vigie/collector.toml /etc/vigie/dashboard.toml /etc/vigie/rules.d
    if [ ! -f /etc/vigie/pki/collector.pem ]; then
        vigie pki init --dir /etc/vigie/pki --names "$(hostname -f 2>/dev/null || hostname),$(hostname)" >/dev/null
        chgrp -R vigie /etc/vigie/pki
        chmod 0640 /etc/vigie/pki/collector-key.pem
    fi
    if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
    echo "vigie-server: systemctl enable --now vigie-collector vigie-dashboard"
    echo "  agents need /etc/vigie/pki/ca.pem and a token: vigie token create"
fi
SCRIPT
cat > "$S/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
    systemctl stop vigie-collector.service vigie-dashboard.service || true
fi
SCRIPT
chmod 0755 "$S/DEBIAN/postinst" "$S/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$S" "$OUT/vigie-server_${VERSION}_${ARCH}.deb" >/dev/null

# ---- offline bundle ----
B="$WORK/vigie-$VERSION"
mkdir -p "$B/bin" "$B/systemd" "$B/etc"
cp "$A/usr/bin/vigie-agent" "$S/usr/bin/vigie-collector" "$S/usr/bin/vigie-dashboard" "$S/usr/bin/vigie" "$B/bin/"
cp packaging/systemd/*.service "$B/systemd/"
cp packaging/etc/*.toml "$B/etc/"
cp -r rules/pack "$B/rules-pack"
cp README.md README.fr.md "$B/"
cp /usr/share/doc/fonts-dejavu-core/copyright "$B/fonts-dejavu.copyright"
install -m 0755 packaging/install.sh "$B/install.sh"
tar -C "$WORK" -czf "$OUT/vigie-$VERSION-linux-$ARCH.tar.gz" "vigie-$VERSION"

for f in "$OUT"/vigie-agent_"$VERSION"_"$ARCH".deb "$OUT"/vigie-server_"$VERSION"_"$ARCH".deb "$OUT/vigie-$VERSION-linux-$ARCH.tar.gz"; do
    awk -v n="$(basename "$f")" -v b="$(stat -c %s "$f")" 'BEGIN { printf "%-48s %8.1f MiB\n", n, b / 1048576 }'
done
