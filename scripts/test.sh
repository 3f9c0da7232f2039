#!/usr/bin/env bash
# Runs every test of Vigie, installing first what the tests need (ClickHouse from
# Debian's clickhouse-server package, Chromium and its driver for the browser test,
# poppler-utils to read reports, libcap2-bin for setcap, python3-aiosmtpd as a mail
# server, openssh-server, sshpass, nginx-light and systemd-journal-remote for the log
# tests).
# Lance tous les tests de Vigie, après avoir installé ce dont ils ont besoin.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
    echo "Installing ClickHouse / installation de ClickHouse (clickhouse-server)"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clickhouse-server
fi

# Browser tests drive Debian's Chromium through its WebDriver (chromedriver).
if ! command -v chromedriver >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
    echo "Installing Chromium / installation de Chromium (chromium, chromium-driver)"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
fi

# Report tests render PDFs with poppler's pdftoppm and read them with pdftotext.
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    echo "Installing poppler-utils / installation de poppler-utils"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q poppler-utils
fi

# File sensor tests set file capabilities with setcap (libcap2-bin).
if ! command -v setcap >/dev/null 2>&1 && [ ! -x /usr/sbin/setcap ] && [ ! -x /sbin/setcap ]; then
    echo "Installing libcap2-bin / installation de libcap2-bin (setcap)"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libcap2-bin
fi

# Notification tests run a real SMTP server: Debian's aiosmtpd, under /usr/bin/python3.
if ! /usr/bin/python3 -c "import aiosmtpd" >/dev/null 2>&1; then
    echo "Installing python3-aiosmtpd / installation de python3-aiosmtpd"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-aiosmtpd
fi

# Log tests run a real SSH server and client (Debian's openssh-server, openssh-client
# and sshpass, a password given on the command line), a real web server (nginx-light)
# and a real journal (journalctl, written by systemd-journal-remote).
if [ ! -x /usr/sbin/sshd ] || ! command -v sshpass >/dev/null 2>&1 || ! command -v ssh >/dev/null 2>&1 \
    || [ ! -x /usr/sbin/nginx ] || ! command -v journalctl >/dev/null 2>&1 || [ ! -x /lib/systemd/systemd-journal-remote ]; then
    echo "Installing openssh-server, sshpass, nginx-light, systemd-journal-remote / installation d'openssh-server, sshpass, nginx-light, systemd-journal-remote"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server openssh-client sshpass nginx-light systemd systemd-journal-remote
fi

# The packaging test runs the documented install lines as written, which use sudo.
if ! command -v sudo >/dev/null 2>&1; then
    echo "Installing sudo / installation de sudo"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q sudo
fi

# The noise budget test rotates a log as a server does, and installs then purges a small
# package from the Debian archive (uuid-runtime; purged first if a stopped run left it).
if ! command -v logrotate >/dev/null 2>&1; then
    echo "Installing logrotate / installation de logrotate"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q logrotate
fi

# Building needs clang and the libbpf headers (the agent's eBPF programs).
bash scripts/build-deps.sh

# The cross-component tests run the real binaries: build them first.
cargo build --bins
VIGIE_BROWSER_TESTS=1 cargo test --workspace
