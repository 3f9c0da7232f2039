#!/usr/bin/env bash
# Ingestion figures: a throwaway ClickHouse and the release collector on this machine,
# simulated agents (real tokens, keys, signed chained batches) sending the same number of
# events for each agent count, as fast as acknowledged. Prints events/s, batch latency
# percentiles, retries, the collector's CPU and memory, rows ClickHouse merged, bytes per
# event on the wire, and whether every event was stored exactly once.
# Mesures de l'ingestion ; affiche des chiffres.
#
# Usage: bench/ingest.sh [AGENT COUNTS, default 1,10,100,1000,5000] [EVENTS per run, default 500000]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins -q
target/release/vigie-loadgen --agents "${1:-1,10,100,1000,5000}" --events "${2:-500000}"
