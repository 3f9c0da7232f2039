#!/usr/bin/env bash
# Cost of watching reads of sensitive files: opens per second of a tight open/close
# loop on an ordinary file (not a watched one: the cost every program pays), without
# the agent, then with the agent running only its reads sensor (its kernel hook looks
# each open's inode up in a map); then the same loop on a watched file (each open is an
# event). Prints figures; asserts nothing. Needs root.
# Coût de la surveillance des lectures de fichiers sensibles : ouvertures par seconde
# sans l'agent, puis avec son seul capteur de lectures. Affiche des chiffres.
#
# Usage: bench/reads.sh [OPENS]
set -euo pipefail
cd "$(dirname "$0")/.."
OPENS=${1:-500000}
cargo build --release --bins -q
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
echo "ordinary" > "$WORK/ordinary.txt"
echo "secret" > "$WORK/secret.txt"
cat > "$WORK/agent.toml" <<TOML
data_dir = "$WORK/data"
health_interval_secs = 1
[fim]
enabled = false
[process]
enabled = false
listeners = false
[network]
enabled = false
[logs]
enabled = false
[reads]
paths = ["/etc/shadow", "$WORK/secret.txt"]
TOML
loop() {
    python3 - "$1" "$OPENS" <<'PY'
import os, sys, time
path, n = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
for _ in range(n):
    os.close(os.open(path, os.O_RDONLY))
print(f"{n / (time.perf_counter() - start):,.0f}")
PY
}
base=$(loop "$WORK/ordinary.txt")
./target/release/vigie-agent --print --config "$WORK/agent.toml" > "$WORK/events.jsonl" 2> "$WORK/agent.log" &
for _ in $(seq 1 50); do grep -q "reads of sensitive files, from eBPF" "$WORK/agent.log" && break; sleep 0.2; done
mode=$(grep -o 'mode="[a-z]*"' "$WORK/agent.log" | head -1)
with=$(loop "$WORK/ordinary.txt")
watched=$(loop "$WORK/secret.txt")
sleep 3
events=$(grep -c '"file_access"' "$WORK/events.jsonl" || true)
lost=$(grep '"agent_health"' "$WORK/events.jsonl" | tail -1 | grep -o '"ReadsLost":[0-9]*' | cut -d: -f2)
echo "reads sensor ($mode)"
echo "opens/s of an ordinary file, no agent:       $base"
echo "opens/s of an ordinary file, reads sensor:   $with"
echo "opens/s of a watched file, reads sensor:     $watched ($events events printed, $lost counted lost by the kernel queue, of $OPENS opens)"
