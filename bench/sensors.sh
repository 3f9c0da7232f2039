#!/usr/bin/env bash
# Agent sensor figures (run as root): idle RSS and CPU with every sensor on; CPU and
# events/s under an exec storm (200 execs/s) and a packet storm (5,000 packets/s on
# loopback), and how many execs were missed; then a full-speed exec storm (two shells
# running /bin/true with a marker) without the agent, with it on eBPF and with it on
# the process connector: execs/s (the workload's slowdown), agent CPU, and how many
# command lines each source captured; then a file storm (two writers creating,
# writing and deleting files in a watched folder at full speed) without and with the
# agent: files/s, agent CPU, and how many files were reported; and the same storm in a
# folder nobody watches (what a busy server's own writes pay for). Prints figures;
# asserts nothing.
# Mesures des capteurs de l'agent ; affiche des chiffres, ne vérifie rien.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-20}
cargo build --release --bins -q
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/watched"
printf '[process]\nlisten_interval_secs = 5\n[network]\nloopback = true\n' > "$WORK/agent.toml"
VIGIE_WATCH="$WORK/watched" target/release/vigie-agent --print --config "$WORK/agent.toml" > "$WORK/events.jsonl" 2> "$WORK/agent.log" &
AGENT=$!
for _ in $(seq 1 100); do grep -q "network capture started" "$WORK/agent.log" && break; sleep 0.1; done
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$AGENT/status"; }
cpu() { awk -v a="$2" -v b="$1" -v hz="$hz" -v s="$3" 'BEGIN{printf "%.2f %% of a core", (a-b)/hz/s*100}'; }

sleep 5
before=$(ticks); sleep "$SECS"; after=$(ticks)
echo "idle ${SECS}s: RSS $(rss) MiB, CPU $(cpu "$before" "$after" "$SECS")"
for key in ProcessMode FileWhoMode NetworkOwnersMode; do
    grep -o "\"$key\":\"[a-z]*\"" "$WORK/events.jsonl" | tail -1 | tr '\n' ' '
done
echo

before=$(ticks); lines_before=$(wc -l < "$WORK/events.jsonl")
python3 - "$SECS" "$WORK/pids" <<'PY'
import subprocess, sys, time
secs, out = int(sys.argv[1]), sys.argv[2]
pids, start = [], time.time()
while time.time() - start < secs:
    tick = time.time()
    for _ in range(20):
        p = subprocess.Popen(["/bin/true"]); pids.append(p.pid); p.wait()
    time.sleep(max(0, 0.1 - (time.time() - tick)))
open(out, "w").write("\n".join(map(str, pids)))
PY
sleep 3
after=$(ticks)
execs=$(wc -l < "$WORK/pids")
missed=$(python3 - "$WORK/pids" "$WORK/events.jsonl" <<'PY'
import json, sys
pids = set(map(int, open(sys.argv[1]).read().split()))
seen = set()
for line in open(sys.argv[2]):
    if '"process_creation"' in line:
        seen.add(json.loads(line).get("ProcessId"))
print(len(pids - seen))
PY
)
events=$(( $(wc -l < "$WORK/events.jsonl") - lines_before ))
echo "exec storm: $((execs / SECS)) execs/s for ${SECS}s, agent CPU $(cpu "$before" "$after" "$((SECS + 3))"), $((events / SECS)) events/s, missed $missed of $execs"

before=$(ticks)
python3 - "$SECS" <<'PY'
import socket, sys, time
secs = int(sys.argv[1])
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx.bind(("127.0.0.1", 0))
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst, payload, start, sent = rx.getsockname(), b"x" * 200, time.time(), 0
while time.time() - start < secs:
    tick = time.time()
    for _ in range(500):
        tx.sendto(payload, dst); sent += 1
    time.sleep(max(0, 0.1 - (time.time() - tick)))
print(f"sent {sent} packets", file=sys.stderr)
PY
after=$(ticks)
echo "packet storm: ~5000 packets/s (loopback, each seen twice) for ${SECS}s, agent CPU $(cpu "$before" "$after" "$SECS"), RSS $(rss) MiB"
grep -o '"NetworkPacketsDropped":[0-9]*' "$WORK/events.jsonl" | tail -1 || true

# Full-speed exec storm: two shells, each running /bin/true <marker>-<n> in a loop.
kill "$AGENT"; wait "$AGENT" 2>/dev/null || true
storm() { # SECONDS MARKER -> total execs
    local end=$((SECONDS + $1)) total=0
    for w in 1 2; do
        ( n=0; while [ $SECONDS -lt $end ]; do /bin/true "$2-$w-$n"; n=$((n + 1)); done; echo $n > "$WORK/storm.$w" ) &
    done
    wait
    echo $(( $(cat "$WORK/storm.1") + $(cat "$WORK/storm.2") ))
}
baseline=$(storm "$SECS" "vigie-none")
echo "exec storm at full speed, no agent: $((baseline / SECS)) execs/s"
for source in ebpf audit connector; do
    case "$source" in
        ebpf) extra="" ;;
        audit) extra="ebpf = false" ;;
        *) extra=$'ebpf = false\naudit = false' ;;
    esac
    printf '[process]
listeners = false
%s
[network]
enabled = false
' "$extra" > "$WORK/storm.toml"
    VIGIE_WATCH="$WORK/watched" target/release/vigie-agent --print --config "$WORK/storm.toml" > "$WORK/storm.jsonl" 2> "$WORK/storm.log" &
    AGENT=$!
    for _ in $(seq 1 100); do grep -q "process events from" "$WORK/storm.log" && break; sleep 0.1; done
    sleep 1
    before=$(ticks)
    total=$(storm "$SECS" "vigie-$source")
    sleep 3
    after=$(ticks)
    captured=$(grep -c "\"CommandLine\":\"/bin/true vigie-$source-" "$WORK/storm.jsonl" || true)
    lost=$(grep -o '"ProcessLost":[0-9]*' "$WORK/storm.jsonl" | tail -1)
    echo "exec storm at full speed, agent on $source: $((total / SECS)) execs/s ($(( (baseline - total) * 100 / baseline ))% slower), agent CPU $(cpu "$before" "$after" "$((SECS + 3))"), RSS $(rss) MiB, $captured of $total command lines ($((captured * 100 / total))%), ${lost:-ProcessLost:0}"
    kill "$AGENT"; wait "$AGENT" 2>/dev/null || true
done

# File storm: two writers, each creating a file, writing 4 KiB, closing and deleting it,
# in a loop, in the watched folder: without the agent, then with it (every sensor on).
file_storm() { # SECONDS TAG [FOLDER, default the watched one] -> total files
    python3 - "$1" "${3:-$WORK/watched}" "$2" <<'PY'
import os, sys, time, multiprocessing
secs, folder, tag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def writer(w, out):
    n, end, block = 0, time.time() + secs, b"x" * 4096
    while time.time() < end:
        path = os.path.join(folder, f"{tag}-{w}-{n}")
        with open(path, "wb") as f:
            f.write(block)
        os.remove(path)
        n += 1
    out.put(n)
q = multiprocessing.Queue()
ps = [multiprocessing.Process(target=writer, args=(w, q)) for w in (1, 2)]
[p.start() for p in ps]; [p.join() for p in ps]
print(q.get() + q.get())
PY
}
baseline=$(file_storm "$SECS" "none")
mkdir -p "$WORK/elsewhere"
outside_baseline=$(file_storm "$SECS" "none" "$WORK/elsewhere")
echo "file storm, no agent: $((baseline / SECS)) files/s (each created, written, deleted)"
printf '[process]\nlisten_interval_secs = 5\n' > "$WORK/files.toml"
VIGIE_WATCH="$WORK/watched" target/release/vigie-agent --print --config "$WORK/files.toml" > "$WORK/files.jsonl" 2> "$WORK/files.log" &
AGENT=$!
for _ in $(seq 1 100); do grep -q "file baseline ready" "$WORK/files.log" && break; sleep 0.1; done
sleep 1
before=$(ticks)
outside=$(file_storm "$SECS" "outside" "$WORK/elsewhere")
after=$(ticks)
echo "file storm outside the watched paths: $((outside_baseline / SECS)) files/s without the agent, $((outside / SECS)) with it ($(( (outside_baseline - outside) * 100 / outside_baseline ))% slower), agent CPU $(cpu "$before" "$after" "$SECS")"
before=$(ticks)
total=$(file_storm "$SECS" "agent")
sleep 3
after=$(ticks)
created=$(python3 - "$WORK/files.jsonl" <<'PY'
import json, sys
names, hashed = set(), 0
for line in open(sys.argv[1]):
    if '"file_event"' not in line or "/agent-" not in line:
        continue
    e = json.loads(line)
    if e.get("Action") == "created":
        names.add(e["TargetFilename"]); hashed += "Sha256" in e
print(len(names), hashed)
PY
)
overflows=$(grep -o '"FimQueueOverflows":[0-9]*' "$WORK/files.jsonl" | tail -1)
echo "file storm, agent on: $((total / SECS)) files/s ($(( (baseline - total) * 100 / baseline ))% slower), agent CPU $(cpu "$before" "$after" "$((SECS + 3))"), RSS $(rss) MiB, created reported / with hash: $created of $total, ${overflows:-FimQueueOverflows:0}"
