#!/bin/sh
# Installs Vigie from this offline bundle: the agent on a monitored server, or the
# collector and dashboard on the SOC site. Installe Vigie depuis cette archive.
#
# Usage: sudo ./install.sh agent     |  sudo ./install.sh server
set -eu
cd "$(dirname "$0")"
role=${1:-}
case "$role" in
    agent)
        install -m 0755 bin/vigie-agent /usr/bin/vigie-agent
        install -m 0644 systemd/vigie-agent.service /etc/systemd/system/vigie-agent.service
        mkdir -p /etc/vigie
        [ -f /etc/vigie/agent.toml ] || install -m 0640 etc/agent.toml /etc/vigie/agent.toml
        getent group vigie-agent >/dev/null || groupadd --system vigie-agent
        getent passwd vigie-agent >/dev/null || useradd --system --gid vigie-agent \
            --home-dir /var/lib/vigie/agent --shell /usr/sbin/nologin vigie-agent
        mkdir -p /var/lib/vigie/agent
        chown vigie-agent:vigie-agent /var/lib/vigie/agent
        chmod 0700 /var/lib/vigie/agent
        chgrp vigie-agent /etc/vigie/agent.toml
        systemctl daemon-reload 2>/dev/null || true
        echo "next / ensuite: sudo -u vigie-agent vigie-agent enroll --config /etc/vigie/agent.toml --token TOKEN"
        echo "                systemctl enable --now vigie-agent"
        ;;
    server)
        for b in vigie-collector vigie-dashboard vigie; do install -m 0755 "bin/$b" "/usr/bin/$b"; done
        for u in vigie-collector vigie-dashboard; do
            install -m 0644 "systemd/$u.service" "/etc/systemd/system/$u.service"
        done
        mkdir -p /etc/vigie/rules.d
        for c in collector dashboard; do
            [ -f "/etc/vigie/$c.toml" ] || install -m 0640 "etc/$c.toml" "/etc/vigie/$c.toml"
        done
        getent group vigie >/dev/null || groupadd --system vigie
        getent passwd vigie >/dev/null || useradd --system --gid vigie \
            --home-dir /var/lib/vigie --shell /usr/sbin/nologin vigie
        mkdir -p /var/lib/vigie/collector /var/lib/vigie/dashboard /var/lib/vigie/audit
        chown vigie:vigie /var/lib/vigie/collector /var/lib/vigie/dashboard /var/lib/vigie/audit
        chgrp vigie /etc/vigie/collector.toml /etc/vigie/dashboard.toml /etc/vigie/rules.d
        if [ ! -f /etc/vigie/pki/collector.pem ]; then
            vigie pki init --dir /etc/vigie/pki --names "$(hostname -f 2>/dev/null || hostname),$(hostname)"
            chgrp -R vigie /etc/vigie/pki
            chmod 0640 /etc/vigie/pki/collector-key.pem
        fi
        systemctl daemon-reload 2>/dev/null || true
        echo "ClickHouse: apt-get install clickhouse-server (or set clickhouse_url)"
        echo "next / ensuite: systemctl enable --now vigie-collector vigie-dashboard"
        ;;
    *)
        echo "usage: $0 agent|server" >&2
        exit 2
        ;;
esac
