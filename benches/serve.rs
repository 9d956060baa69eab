//! `cargo bench --bench serve`: `forge serve` under load on loopback, release build.
//!
//! - 100 runs replayed from a one-answer cassette with `--max-concurrent 1`, where runs do not
//!   compete for the cores: forge's own time per queued run (starting the run, sealing its
//!   pack, handing the slot on) is the time from one run's start to the next one's, less the
//!   run itself (both from the packs' `started_at` and `finished_at`), and the server's CPU time
//!   per run;
//! - the same 100 runs submitted at once with `--max-concurrent 4`: `POST` latency, total time,
//!   and the time the 4 slots were not running a run, `(4 × wall − Σ run durations) / 100`;
//! - the server's RSS after 1, 51 and 101 of those runs;
//! - `GET /api/v1/runs` (20 newest of the 201 runs): requests per second and latency
//!   percentiles, 8 clients on keep-alive connections.
//!
//! Results are printed; BENCHMARKS.md records them with the machine they came from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 100;
const SLOTS: usize = 4;
const GETS: usize = 4000;
const CLIENTS: usize = 8;

fn main() {
    let forge = env!("CARGO_BIN_EXE_forge");
    let root = tempfile::tempdir().expect("root");
    let home = tempfile::tempdir().expect("home");
    let r = root.path();
    std::fs::write(r.join("a.txt"), "start\n").expect("write");
    std::fs::write(
        r.join("c.yaml"),
        "version: 1\nname: bench\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: ok\n    run: grep -q done a.txt\nevidence:\n  synthesis: template\n",
    )
    .expect("contract");
    let answer = "### FILE: a.txt\n```\ndone\n```\n";
    std::fs::write(
        r.join("cassette.jsonl"),
        format!("{}\n", json!({ "response": answer })),
    )
    .expect("cassette");
    let state = home.path().join("state");
    let token = String::from_utf8(
        forge_cmd(forge, r, home.path())
            .args(["serve", "token", "create", "bench", "--state"])
            .arg(&state)
            .output()
            .expect("token")
            .stdout,
    )
    .expect("utf-8")
    .trim()
    .to_string();
    // One slot: runs never compete with each other for the two cores, so what a slot spends
    // outside its run is forge's start, seal and hand-off, not waiting for a CPU. It goes
    // first, while the file system is as rested as the bench found it: each run creates and
    // deletes files, and on an ext4 without a journal a new file costs more for every file
    // deleted in the last minutes (see BENCHMARKS.md).
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (mut server, base) = serve(forge, r, home.path(), &state, 1);
    let pid = server.id();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let body = json!({"contract": "c.yaml", "replay": "cassette.jsonl"});
        let cpu_before = cpu_ms(pid);
        let start = Instant::now();
        let mut ids = Vec::new();
        for _ in 0..RUNS {
            ids.push(submit(&client, &base, &token, &body).await.0);
        }
        wait_all(&client, &base, &token, &ids).await;
        let wall = start.elapsed().as_secs_f64() * 1000.0;
        let cpu_after = cpu_ms(pid);
        let (user, system) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
        let mut runs = times(&client, &base, &token, &ids).await;
        runs.sort_by(|a, b| a.started_ms.total_cmp(&b.started_ms));
        // Each run goes from its start to the next run's: its loop, its seal, the next start.
        // `started_at`/`finished_at` are whole milliseconds, but a difference of two of them
        // is unbiased, unlike the floored `duration_ms`, so the mean over 100 runs holds.
        let first = runs.first().map_or(0.0, |r| r.started_ms);
        let last = runs.last().map_or(0.0, |r| r.started_ms);
        let period = (last - first) / (RUNS - 1) as f64;
        let inside = runs
            .iter()
            .map(|r| r.finished_ms - r.started_ms)
            .sum::<f64>()
            / RUNS as f64;
        let busy: f64 = runs.iter().map(|r| r.duration_ms).sum();
        println!(
            "submit {RUNS} replayed runs, --max-concurrent 1: all done in {wall:.0} ms; one run \
             every {period:.2} ms, of which {inside:.2} ms inside the run (started_at to \
             finished_at); forge's own time per queued run {:.2} ms; (wall - sum of duration_ms) \
             / {RUNS} = {:.2} ms; server CPU per run {:.2} ms user + {:.2} ms system (validators \
             and sandbox helpers not included)",
            period - inside,
            (wall - busy) / RUNS as f64,
            user / RUNS as f64,
            system / RUNS as f64
        );
    });
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let _ = server.wait();
    let (mut server, base) = serve(forge, r, home.path(), &state, SLOTS);
    let pid = server.id();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let body = json!({"contract": "c.yaml", "replay": "cassette.jsonl"});
        // One run first, so the RSS baseline includes a run's worth of warm-up.
        let first = submit(&client, &base, &token, &body).await.0;
        wait_all(&client, &base, &token, &[first]).await;
        let rss_1 = rss_kib(pid);

        let start = Instant::now();
        let mut ids = Vec::new();
        let mut post_ms = Vec::new();
        for _ in 0..RUNS {
            let (id, ms) = submit(&client, &base, &token, &body).await;
            ids.push(id);
            post_ms.push(ms);
        }
        wait_all(&client, &base, &token, &ids[..RUNS / 2]).await;
        let rss_50 = rss_kib(pid);
        wait_all(&client, &base, &token, &ids).await;
        let wall = start.elapsed().as_secs_f64() * 1000.0;
        let rss_100 = rss_kib(pid);
        let busy: f64 = times(&client, &base, &token, &ids)
            .await
            .iter()
            .map(|t| t.duration_ms)
            .sum();
        let overhead = ((SLOTS as f64) * wall - busy) / RUNS as f64;
        post_ms.sort_by(f64::total_cmp);
        println!(
            "submit {RUNS} replayed runs, --max-concurrent {SLOTS}: all done in {wall:.0} ms; \
             POST p50 {:.2} ms, p99 {:.2} ms; mean run {:.1} ms; \
             slot time per run outside the run {overhead:.2} ms (4 slots share the cores)",
            pct(&post_ms, 0.50),
            pct(&post_ms, 0.99),
            busy / RUNS as f64
        );
        println!("server RSS after 1 / 51 / 101 runs: {rss_1} / {rss_50} / {rss_100} KiB");

        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..CLIENTS {
            let (client, url, token) = (
                reqwest::Client::new(),
                format!("{base}/api/v1/runs?limit=20"),
                token.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                for _ in 0..GETS / CLIENTS {
                    let t = Instant::now();
                    let resp = client
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("get");
                    assert!(resp.status().is_success());
                    resp.bytes().await.expect("body");
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.expect("client"));
        }
        let secs = start.elapsed().as_secs_f64();
        lat.sort_by(f64::total_cmp);
        println!(
            "GET /api/v1/runs?limit=20 ({GETS} requests, {CLIENTS} clients): {:.0} req/s, \
             p50 {:.2} ms, p99 {:.2} ms",
            GETS as f64 / secs,
            pct(&lat, 0.50),
            pct(&lat, 0.99)
        );
    });
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let _ = server.wait();
}

/// Start `forge serve --max-concurrent SLOTS` on a loopback port; the child and its base URL.
fn serve(
    forge: &str,
    root: &Path,
    home: &Path,
    state: &Path,
    slots: usize,
) -> (std::process::Child, String) {
    let mut server = forge_cmd(forge, root, home)
        .args(["serve", "--listen", "127.0.0.1:0", "--max-concurrent"])
        .arg(slots.to_string())
        .args(["--root", "."])
        .arg("--state")
        .arg(state)
        .stderr(Stdio::piped())
        .spawn()
        .expect("forge serve");
    let stderr = server.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.split("listening on http://").nth(1) {
                let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let base = format!(
        "http://{}",
        rx.recv_timeout(Duration::from_secs(30)).expect("address")
    );
    (server, base)
}

/// CPU time the process itself has used, user and system, in ms.
fn cpu_ms(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: sysconf reads a constant of the running kernel.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (ticks(11) * 1000.0 / hz, ticks(12) * 1000.0 / hz)
}

fn forge_cmd(forge: &str, root: &Path, home: &Path) -> Command {
    let mut c = Command::new(forge);
    c.current_dir(root)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // `TMPDIR=/dev/shm cargo bench --bench serve` puts the root and the workspaces on tmpfs,
        // which leaves forge's own work without the disk's.
        .env("TMPDIR", std::env::temp_dir())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

async fn submit(client: &reqwest::Client, base: &str, token: &str, body: &Value) -> (String, f64) {
    let t = Instant::now();
    let resp = client
        .post(format!("{base}/api/v1/converge"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status().as_u16(), 202);
    let v: Value = resp.json().await.expect("json");
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    (v["convergenceId"].as_str().expect("id").to_string(), ms)
}

/// Wait until every run has finished, polling gently so that the polls do not take the CPU
/// the runs are measured on.
async fn wait_all(client: &reqwest::Client, base: &str, token: &str, ids: &[String]) {
    for id in ids {
        loop {
            let v: Value = client
                .get(format!("{base}/api/v1/converge/{id}"))
                .bearer_auth(token)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            if v["result"].is_object() {
                assert_eq!(v["status"], "CONVERGED", "{v}");
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// When a finished run started and ended (ms since the epoch) and its own `duration_ms`, from
/// its pack.
struct Times {
    started_ms: f64,
    finished_ms: f64,
    duration_ms: f64,
}

async fn times(client: &reqwest::Client, base: &str, token: &str, ids: &[String]) -> Vec<Times> {
    let ms = |v: &Value| {
        let text = v.as_str().expect("timestamp");
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .expect("RFC 3339");
        (t.unix_timestamp_nanos() / 1_000_000) as f64
    };
    let mut out = Vec::new();
    for id in ids {
        let pack = client
            .get(format!("{base}/api/v1/runs/{id}/evidence"))
            .bearer_auth(token)
            .send()
            .await
            .expect("pack")
            .json::<Value>()
            .await
            .expect("pack json");
        out.push(Times {
            started_ms: ms(&pack["metadata"]["started_at"]),
            finished_ms: ms(&pack["metadata"]["finished_at"]),
            duration_ms: pack["raw_evidence"]["metrics"]["duration_ms"]
                .as_f64()
                .unwrap_or(0.0),
        });
    }
    out
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
