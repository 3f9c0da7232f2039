#!/usr/bin/env bash
# Endurance: a throwaway ClickHouse and the release collector, 1,000 simulated agents
# (real tokens, keys, signed chained batches) sending 20,000 events/s in all for 30
# minutes. Prints each minute events/s, batch latency, retries, the collector's CPU and
# memory and ClickHouse's memory (a leak shows as a climb), then whether every event was
# stored exactly once. With OUTAGE seconds, ClickHouse is hung that long after the first
# minute and the time taken to store the backlog once it resumes is printed.
# Endurance : 1 000 agents simulés pendant 30 minutes ; affiche des chiffres chaque minute
# (et, avec OUTAGE, le temps de reprise après une panne de ClickHouse).
#
# Usage: bench/soak.sh [MINUTES, default 30] [AGENTS, default 1000] [EVENTS/S, default 20000] [OUTAGE seconds, default 0]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins -q
target/release/vigie-loadgen --soak-minutes "${1:-30}" --agents "${2:-1000}" --rate "${3:-20000}" --outage-secs "${4:-0}"
