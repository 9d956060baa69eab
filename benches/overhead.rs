//! `cargo bench --bench overhead`: what forge itself costs next to the model and the validators.
//!
//! Measures, on the release binary:
//! - `forge check` start-up and bookkeeping: median wall time of `forge check` on a contract whose
//!   one validator is `true`, minus the median of running `sh -c true` directly;
//! - engine overhead per iteration (prompting, parsing edits, workspace, scoring, history rows;
//!   everything but the model and the validators): the slope of converge wall time between a
//!   1-iteration and a 21-iteration run replayed from a cassette, minus the validators' own time
//!   as recorded in the evidence pack;
//! - peak memory of `forge check` while a validator prints 1 GiB (bounded capture);
//! - the failure digest of the largest committed real capture (the digest runs on every failed
//!   validator of every iteration).
//!
//! Results are printed; BENCHMARKS.md records them with the machine they came from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 25;

fn main() {
    let forge = PathBuf::from(env!("CARGO_BIN_EXE_forge"));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("config dir");

    let check_ms = check_overhead(&forge, dir.path(), config.path());
    println!("check overhead (median, {RUNS} runs): {check_ms:.1} ms over `sh -c true`");

    let per_iter = iteration_overhead(&forge, config.path());
    println!("engine overhead per iteration: {per_iter:.1} ms (validators excluded)");

    let rss = check_peak_rss_kib(&forge, config.path());
    println!(
        "peak RSS of forge check while a validator prints 1 GiB: {} MiB",
        rss / 1024
    );

    let (bytes, ms) = digest_time();
    println!(
        "digest of a {} KiB real pytest capture: {ms:.2} ms",
        bytes / 1024
    );
}

fn forge_cmd(forge: &Path, root: &Path, config: &Path) -> Command {
    let mut c = Command::new(forge);
    c.current_dir(root)
        .env("XDG_CONFIG_HOME", config)
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn median(mut xs: Vec<Duration>) -> f64 {
    xs.sort();
    xs[xs.len() / 2].as_secs_f64() * 1000.0
}

fn time_runs(mut f: impl FnMut()) -> f64 {
    f(); // warm the page cache
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn check_overhead(forge: &Path, root: &Path, config: &Path) -> f64 {
    std::fs::write(
        root.join("check.yaml"),
        "version: 1\nname: bench\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: ok\n    run: 'true'\n",
    )
    .expect("write contract");
    let with_forge = time_runs(|| {
        let s = forge_cmd(forge, root, config)
            .args(["check", "check.yaml"])
            .status()
            .expect("forge");
        assert!(s.success());
    });
    let bare = time_runs(|| {
        Command::new("sh")
            .args(["-c", "true"])
            .status()
            .expect("sh");
    });
    with_forge - bare
}

/// Converge `n` iterations replayed from a cassette; returns (wall ms, validator ms).
fn converge(forge: &Path, config: &Path, n: u32) -> (f64, f64) {
    let root = tempfile::tempdir().expect("root");
    let r = root.path();
    std::fs::write(r.join("a.txt"), "start\n").expect("write");
    std::fs::write(
        r.join("c.yaml"),
        format!(
            "version: 1\nname: bench\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: never\n    run: 'false'\nlimits:\n  max_iterations: {n}\n  stagnation: 1000\n  token_budget: 100000000\nevidence:\n  synthesis: template\n"
        ),
    )
    .expect("write contract");
    let mut cassette = String::new();
    for i in 0..n {
        let answer = format!("### FILE: a.txt\n```\nattempt {i}\n```\n");
        cassette.push_str(&serde_json::json!({ "response": answer }).to_string());
        cassette.push('\n');
    }
    std::fs::write(r.join("cassette.jsonl"), cassette).expect("write cassette");
    let t = Instant::now();
    let s = forge_cmd(forge, r, config)
        .args([
            "converge",
            "c.yaml",
            "--replay",
            "cassette.jsonl",
            "--no-apply",
        ])
        .status()
        .expect("forge");
    let wall = t.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(s.code(), Some(1), "the bench contract never converges");
    let runs = r.join(".forge/runs");
    let run = std::fs::read_dir(&runs)
        .expect("runs")
        .flatten()
        .next()
        .expect("one run")
        .path();
    let pack: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("evidence.json")).expect("pack"))
            .expect("json");
    let validators: f64 = pack["raw_evidence"]["iterations"]
        .as_array()
        .expect("iterations")
        .iter()
        .flat_map(|it| it["validations"].as_array().cloned().unwrap_or_default())
        .map(|v| v["duration_ms"].as_f64().unwrap_or(0.0))
        .sum();
    (wall, validators)
}

fn iteration_overhead(forge: &Path, config: &Path) -> f64 {
    let mut slopes = Vec::new();
    for _ in 0..5 {
        let (w1, v1) = converge(forge, config, 1);
        let (w21, v21) = converge(forge, config, 21);
        slopes.push(((w21 - v21) - (w1 - v1)) / 20.0);
    }
    slopes.sort_by(|a, b| a.total_cmp(b));
    slopes[slopes.len() / 2]
}

fn check_peak_rss_kib(forge: &Path, config: &Path) -> i64 {
    let root = tempfile::tempdir().expect("root");
    std::fs::write(
        root.path().join("c.yaml"),
        "version: 1\nname: loud\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: loud\n    run: head -c 1073741824 /dev/zero | tr '\\0' x\n    timeout: 2m\n",
    )
    .expect("write contract");
    let s = forge_cmd(forge, root.path(), config)
        .args(["check", "c.yaml"])
        .status()
        .expect("forge");
    assert!(s.success());
    // Max RSS over waited-for children: forge itself is by far the largest of them.
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a full rusage into the pointer we own.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    usage.ru_maxrss
}

fn digest_time() -> (usize, f64) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/captures/pytest-300-params.txt");
    let text = std::fs::read_to_string(path).expect("capture");
    let ms = time_runs(|| {
        std::hint::black_box(forge::validate::digest(&text, 2_000));
    });
    (text.len(), ms)
}
