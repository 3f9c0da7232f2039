#!/usr/bin/env bash
# Backbone figures: FIM hashing throughput beside sha256sum and openssl, latency from a
# file write to its alert row in ClickHouse (p50/p99 over 200 changes), and the agent's
# RSS and CPU after 60 s idle watching 10,000 files. Prints figures; asserts nothing.
# Mesures de l'épine dorsale ; affiche des chiffres, ne vérifie rien.
#
# Usage: bench/backbone.sh [MiB to hash, default 512]
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-512}
cargo build --release --bins -q
BIN=target/release
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

echo "== 1. Baseline hashing: ${MIB} MiB in 256 files of $((MIB * 4)) KiB =="
mkdir -p "$WORK/hash"
for i in $(seq 1 256); do
    head -c $((MIB * 4096)) /dev/urandom > "$WORK/hash/f$i"
done
cat "$WORK"/hash/* > /dev/null   # page cache warm for every contender
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$s $e" | awk -v m="$MIB" '{printf "%.2f s, %.0f MiB/s", $2-$1, m/($2-$1)}'; }
echo "sha256sum          : $(t sha256sum "$WORK"/hash/*)"
echo "openssl dgst       : $(t openssl dgst -sha256 "$WORK"/hash/*)"
# The agent's hashing budget (fim.hash_rate_mib_s, 64 MiB/s by default) is lifted here
# to measure raw speed.
printf '[fim]\nhash_rate_mib_s = 0\n[process]\nenabled = false\nlisteners = false\n' > "$WORK/unlimited.toml"
VIGIE_WATCH="$WORK/hash" VIGIE_LOG=info "$BIN/vigie-agent" --print --config "$WORK/unlimited.toml" > /dev/null 2> "$WORK/agent-hash.log" &
AGENT=$!
for _ in $(seq 1 600); do grep -q "file baseline ready" "$WORK/agent-hash.log" && break; sleep 0.1; done
kill $AGENT; wait $AGENT 2>/dev/null || true
ms=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/agent-hash.log" | grep -o 'ms=[0-9]*' | head -1 | cut -d= -f2)
echo "vigie-agent baseline: $(awk -v ms="$ms" -v m="$MIB" 'BEGIN{printf "%.2f s, %.0f MiB/s", ms/1000, m/(ms/1000)}')"
rm -rf "$WORK/hash"

echo
echo "== 2. Latency, file write -> alert row in ClickHouse (200 changes) =="
mkdir -p "$WORK/watched"
VIGIE_DATA_DIR="$WORK/var" VIGIE_WATCH="$WORK/watched" VIGIE_ADMIN_PASSWORD=bench-password \
VIGIE_DASHBOARD_ADDR=127.0.0.1:$((20000 + RANDOM % 20000)) VIGIE_COLLECTOR_ADDR=127.0.0.1:$((20000 + RANDOM % 20000)) \
    VIGIE_LOG=warn "$BIN/vigie" up > "$WORK/up.out" 2> "$WORK/up.err" &
UP=$!
for _ in $(seq 1 600); do grep -q "Vigie is running" "$WORK/up.out" 2>/dev/null && break; sleep 0.1; done
sleep 2
CH=$(cat "$WORK/var/clickhouse/url")
: > "$WORK/writes"
for i in $(seq 1 200); do
    echo "change $i" > "$WORK/watched/file-$i"
    echo "file-$i $(date +%s%3N)" >> "$WORK/writes"
    sleep 0.05
done
for _ in $(seq 1 300); do
    n=$(curl -s "$CH/?query=SELECT+count()+FROM+vigie.alerts")
    [ "${n:-0}" -ge 200 ] && break
    sleep 0.2
done
curl -s "$CH/?query=SELECT+target,created_ms+FROM+vigie.alerts+FORMAT+TSV" > "$WORK/alerts"
python3 - "$WORK/writes" "$WORK/alerts" <<'PY'
import sys
writes = dict(line.split() for line in open(sys.argv[1]))
lat = sorted(int(ms) - int(writes[t.rsplit('/', 1)[1]]) for t, ms in (l.split('\t') for l in open(sys.argv[2])) if t.rsplit('/', 1)[1] in writes)
if not lat:
    print("no alerts arrived"); sys.exit()
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"alerts: {len(lat)}  p50: {pick(0.5)} ms  p99: {pick(0.99)} ms  max: {lat[-1]} ms")
PY
kill -INT $UP; wait $UP 2>/dev/null || true

echo
echo "== 3. Agent idle: 10,000 watched files, after 60 s =="
mkdir -p "$WORK/many"
for d in $(seq 1 100); do
    mkdir -p "$WORK/many/d$d"
    for f in $(seq 1 100); do echo "$d/$f" > "$WORK/many/d$d/f$f"; done
done
VIGIE_WATCH="$WORK/many" "$BIN/vigie-agent" --print > /dev/null 2> "$WORK/agent-idle.log" &
AGENT=$!
for _ in $(seq 1 600); do grep -q "file baseline ready" "$WORK/agent-idle.log" && break; sleep 0.1; done
ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
before=$(ticks); sleep 60; after=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$AGENT/status")
hz=$(getconf CLK_TCK)
echo "RSS: $((rss / 1024)) MiB ($rss KiB)  CPU over 60 s idle: $(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN{printf "%.2f %% of a core", (a-b)/hz/60*100}')"
kill $AGENT; wait $AGENT 2>/dev/null || true
