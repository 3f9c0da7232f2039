#!/usr/bin/env bash
# Log sensor figures: lines per second read and parsed at full speed (sshd lines, syslog
# form, a file that appears with 500,000 lines), per core of agent CPU; then the agent's
# CPU while a writer appends 1,000 and 10,000 lines a second. The agent runs with
# `--print` and only its log sensor. Prints figures; asserts nothing.
# Mesures du capteur de journaux : lignes lues et analysées par seconde, puis CPU de
# l'agent à 1 000 et 10 000 lignes par seconde. Affiche des chiffres, ne vérifie rien.
#
# Usage: bench/logs.sh [SECONDS_PER_RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
LINES=500000
cargo build --release --bins -q
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$WORK/big.log" "$LINES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
users = ["root", "admin", "oracle", "test", "ubuntu", "amadou"]
with open(path, "w") as out:
    for i in range(n):
        user = users[i % 6]
        out.write(f"2026-12-02T16:{i // 60 % 60:02}:{i % 60:02}.{i * 7919 % 1000000:06}+00:00 srv-web01 sshd[{40000 + i % 5000}]: "
                  f"Failed password for {'invalid user ' if i % 3 == 0 else ''}{user} from 203.0.113.{i % 200} port {30000 + i % 30000} ssh2\n")
PY
cat > "$WORK/agent.toml" <<TOML
[fim]
enabled = false
[process]
enabled = false
listeners = false
[network]
enabled = false
[logs]
read_rate_mib_s = 0
poll_ms = 100
[[logs.files]]
path = "$WORK/auth.log"
TOML
hz=$(getconf CLK_TCK)
start_agent() {
    target/release/vigie-agent --print --config "$WORK/agent.toml" > "$WORK/events.jsonl" 2> "$WORK/agent.log" &
    AGENT=$!
    sleep 1
}
ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
lines_out() { wc -l < "$WORK/events.jsonl"; }

start_agent
before=$(ticks)
t0=$(date +%s.%N)
mv "$WORK/big.log" "$WORK/auth.log"
while [ "$(lines_out)" -lt "$LINES" ]; do sleep 0.05; done
t1=$(date +%s.%N)
after=$(ticks)
awk -v n="$LINES" -v a="$after" -v b="$before" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN{
    cpu = (a - b) / hz; wall = t1 - t0;
    printf "full speed: %d lines in %.2f s (%.0f lines/s), agent CPU %.2f s: %.0f lines/s per core\n", n, wall, n / wall, cpu, n / cpu }'
bytes=$(stat -c %s "$WORK/events.jsonl")
echo "events as JSON (--print): $((bytes / LINES)) bytes per line (see the wire_bytes example for bytes on the wire)"
kill "$AGENT"; wait "$AGENT" 2>/dev/null || true
rm -f "$WORK/auth.log"

for rate in 1000 10000; do
    start_agent
    python3 - "$WORK/auth.log" "$rate" "$SECS" <<'PY' &
import sys, time
path, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
start = time.time(); i = 0
with open(path, "a", buffering=1 << 16) as out:
    while time.time() - start < secs:
        due = int((time.time() - start) * rate)
        while i < due:
            out.write(f"Dec  2 16:25:07 srv-web01 sshd[{40000 + i % 5000}]: Failed password for root from 203.0.113.{i % 200} port {30000 + i % 30000} ssh2\n")
            i += 1
        out.flush()
        time.sleep(0.01)
PY
    WRITER=$!
    sleep 2
    before=$(ticks); sleep "$((SECS - 4))"; after=$(ticks)
    wait "$WRITER"
    awk -v r="$rate" -v a="$after" -v b="$before" -v hz="$hz" -v s="$((SECS - 4))" 'BEGIN{
        printf "%d lines/s: agent CPU %.2f %% of a core\n", r, (a - b) / hz / s * 100 }'
    kill "$AGENT"; wait "$AGENT" 2>/dev/null || true
    rm -f "$WORK/auth.log"
done
