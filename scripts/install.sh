#!/usr/bin/env bash
# Installs what Vigie needs on Debian or Ubuntu and builds it in release mode.
# Installe ce dont Vigie a besoin sur Debian ou Ubuntu et le compile en mode release.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
if ! command -v clickhouse-server >/dev/null 2>&1 && [ ! -x /usr/sbin/clickhouse-server ]; then
    missing+=(clickhouse-server)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing / installation : ${missing[*]}"
    sudo_if_needed apt-get update -q
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
bash scripts/build-deps.sh
if ! command -v cargo >/dev/null 2>&1; then
    echo "Rust (cargo) is required: https://rustup.rs — or: apt-get install cargo" >&2
    echo "Rust (cargo) est requis : https://rustup.rs — ou : apt-get install cargo" >&2
    exit 1
fi
cargo build --release --bins
echo "Built / compilé : target/release/{vigie,vigie-agent,vigie-collector,vigie-dashboard}"
