#!/usr/bin/env bash
# Dashboard figures over 10 million events and 1 million alerts generated in a throwaway
# ClickHouse: p50/p95 of the queue, filters, deep pages, detail, hunt and overview through
# the release dashboard's API, and the first page's weight. Prints figures.
# Mesures du tableau de bord sur 10 millions d'événements et 1 million d'alertes.
#
# Usage: bench/dashboard.sh   (sizes: VIGIE_BENCH_EVENTS, VIGIE_BENCH_ALERTS)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins -q
cargo bench -q -p vigie-tests --bench dashboard
