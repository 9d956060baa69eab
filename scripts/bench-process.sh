#!/usr/bin/env bash
# Whole-process benchmarks of the release `forge` binary with hyperfine (Debian: apt-get install
# hyperfine), each next to its target from BENCHMARKS.md:
#   - `forge check` over running the same validator directly          (< 10 ms added)
#   - 4 validators of `sleep 1` against one `sleep 1`                  (wall <= 1.05x the slowest)
#   - `runs list`, `runs show`, `metrics` on a history of 100,000 runs (< 20 ms, < 20 ms, < 300 ms)
#   - peak RSS of `forge check` while a validator prints 1 GiB         (< 32 MiB)
#
# Usage: scripts/bench-process.sh [--smoke]
#   --smoke: 2 runs each, 1,000 runs of history, 64 MiB of output; checks the script works
#   (CI runs it), its numbers mean nothing.
#   FORGE_BIN=path: measure that binary instead of building target/release/forge.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
if [ $smoke = 1 ]; then
  runs=2 warmup=0 history=1000 loud=$((64 * 1024 * 1024)) sleep_runs=1
else
  runs=30 warmup=3 history=100000 loud=$((1024 * 1024 * 1024)) sleep_runs=5
fi
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench-process: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

if [ -n "${FORGE_BIN:-}" ]; then
  forge=$(realpath "$FORGE_BIN")
else
  cargo build --release --quiet
  forge="$PWD/target/release/forge"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" NO_COLOR=1
mkdir -p "$XDG_CONFIG_HOME"

# Median wall time in milliseconds of command N (0-based) of a hyperfine JSON export.
median_ms() {
  python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"] * 1000))' "$1" "$2"
}

bench() { # NAME COMMAND... : hyperfine in $work/NAME.json
  local name=$1; shift
  hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$work/$name.json" "$@" >&2
}

summary=()

# 1. forge check over the validator itself.
root="$work/check"
mkdir -p "$root"
cat >"$root/check.yaml" <<'EOF'
version: 1
name: bench
task: t
files: [a.txt]
root: .
validators:
  - name: ok
    run: 'true'
EOF
sed 's/^validators:/sandbox: {mode: off}\nvalidators:/' "$root/check.yaml" >"$root/check-off.yaml"
(cd "$root" && bench check "$forge check check-off.yaml" "$forge check check.yaml" "sh -c true")
off=$(median_ms "$work/check.json" 0)
with=$(median_ms "$work/check.json" 1)
bare=$(median_ms "$work/check.json" 2)
added() { python3 -c "print('%.1f' % ($1 - $2))"; }
summary+=("forge check over \`sh -c true\`: $(added "$off" "$bare") ms added with \`sandbox: {mode: off}\` ($off ms against $bare ms; target < 10 ms); $(added "$with" "$bare") ms added with the default sandbox ($with ms; the probe's answer kept from an earlier run)")

# 2. Four validators of `sleep 1` run side by side.
cat >"$root/sleep.yaml" <<'EOF'
version: 1
name: sleepers
task: t
files: [a.txt]
root: .
validators:
  - {name: a, run: sleep 1}
  - {name: b, run: sleep 1}
  - {name: c, run: sleep 1}
  - {name: d, run: sleep 1}
EOF
(cd "$root" && hyperfine -N --warmup 0 --runs "$sleep_runs" --style basic \
  --export-json "$work/sleep.json" "$forge check sleep.yaml" "sleep 1" >&2)
four=$(median_ms "$work/sleep.json" 0)
one=$(median_ms "$work/sleep.json" 1)
summary+=("4 validators of \`sleep 1\`: $four ms against $one ms for one: $(python3 -c "print('%.3f' % ($four / $one))")x (target <= 1.05x)")

# 3. A history of $history runs: one real run, copied with new ids.
hist="$work/history"
mkdir -p "$hist"
printf 'start\n' >"$hist/a.txt"
cat >"$hist/c.yaml" <<'EOF'
version: 1
name: history
task: t
files: [a.txt]
root: .
validators:
  - {name: never, run: 'false'}
  - {name: ok, run: 'true'}
limits: {max_iterations: 3, stagnation: 10}
evidence: {synthesis: template}
EOF
python3 - "$hist/cassette.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(3):
        f.write(json.dumps({"response": f"### FILE: a.txt\n```\nattempt {i}\n```\n"}) + "\n")
EOF
(cd "$hist" && "$forge" converge c.yaml --replay cassette.jsonl --no-apply --quiet >/dev/null 2>&1) || true
python3 - "$hist/.forge/history.db" "$history" <<'EOF'
import sqlite3, sys
db, total = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(db)
(base,) = con.execute("SELECT run_id FROM runs").fetchone()
tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
          if any(c[1] == "run_id" for c in con.execute(f"PRAGMA table_info({t})"))]
with con:
    for t in tables:
        # An INTEGER PRIMARY KEY (id, the chain's seq) is the rowid: let SQLite number the copies.
        cols = [c[1] for c in con.execute(f"PRAGMA table_info({t})")
                if not (c[5] == 1 and c[2].upper() == "INTEGER")]
        rows = con.execute(f"SELECT {', '.join(cols)} FROM {t} WHERE run_id = ?", (base,)).fetchall()
        at = cols.index("run_id")
        started = cols.index("started_at") if "started_at" in cols else None
        def copies():
            for i in range(1, total):
                for r in rows:
                    r = list(r)
                    r[at] = "B%025d" % i
                    if started is not None:
                        r[started] = "2026-01-01T00:00:00.%06dZ" % (i % 1000000)
                    yield r
        marks = ", ".join("?" * len(cols))
        con.executemany(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({marks})", copies())
print(con.execute("SELECT count(*) FROM runs").fetchone()[0], "runs in", db, file=sys.stderr)
EOF
show_id="B$(printf '%025d' $((history / 2)))"
metrics_cmd=()
if "$forge" metrics --help >/dev/null 2>&1; then
  metrics_cmd=("$forge metrics")
fi
(cd "$hist" && bench history "$forge runs list" "$forge runs show $show_id" "${metrics_cmd[@]}")
summary+=("\`runs list\` on $history runs: $(median_ms "$work/history.json" 0) ms (target < 20 ms)")
summary+=("\`runs show\` on $history runs: $(median_ms "$work/history.json" 1) ms (target < 20 ms)")
if [ ${#metrics_cmd[@]} -gt 0 ]; then
  summary+=("\`metrics\` on $history runs: $(median_ms "$work/history.json" 2) ms (target < 300 ms)")
else
  summary+=("\`metrics\` on $history runs: not measured, this forge has no \`metrics\` command")
fi

# 4. Peak memory while a validator prints $loud bytes.
cat >"$root/loud.yaml" <<EOF
version: 1
name: loud
task: t
files: [a.txt]
root: .
validators:
  - name: loud
    run: head -c $loud /dev/zero | tr '\\0' x
    timeout: 5m
EOF
rss=$(cd "$root" && python3 - "$forge" <<'EOF'
import resource, subprocess, sys
subprocess.run([sys.argv[1], "check", "loud.yaml"], check=True, stdout=subprocess.DEVNULL)
# The largest process waited for below this one: forge itself (its validators are head and tr).
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
EOF
)
summary+=("peak RSS of \`forge check\` while a validator prints $((loud / 1024 / 1024)) MiB: $rss MiB (target < 32 MiB)")

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sm), $(hyperfine --version)"
[ $smoke = 1 ] && echo "(smoke run: the numbers below mean nothing)"
printf -- '- %s\n' "${summary[@]}"
