//! `cargo bench --bench overhead`: what forge itself costs next to the model and the validators.
//!
//! Measures, on the release binary:
//! - `forge check` start-up and bookkeeping: median wall time of `forge check` on a contract whose
//!   one validator is `true` (`sandbox: {mode: off}`), minus the median of running `sh -c true`;
//! - the sandbox's added start-up per validator: the median of what the runner spawns for a
//!   sandboxed `true` (forge's helper: namespaces, mounts, Landlock, rlimits) against what it
//!   spawns with `mode: off` (`sh -c true`), as a ratio; and whole `forge check`s of 1 and of 8
//!   validators with the default sandbox against `mode: off`, per validator (cgroups included;
//!   the probe's answer is kept from an earlier run, as on any machine forge ran on before);
//! - engine overhead per iteration (prompting, parsing edits, workspace, scoring, history rows;
//!   everything but the model and the validators): the slope of converge wall time between a
//!   1-iteration and a 21-iteration run replayed from a cassette, minus the validators' own time
//!   as recorded in the evidence pack;
//! - peak memory of `forge check` while a validator prints 1 GiB (bounded capture).
//!
//! In-process figures (the digest) are in `benches/inprocess.rs`, counts of what is sent to the
//! model in `benches/sent.rs`, hyperfine runs in `scripts/bench-process.sh`.
//!
//! - a 300-file write-back: `forge apply RUN_ID --yes` of a run kept with `--no-apply` (pack and
//!   artifacts verified, every file staged and fsynced, journal committed, renames).
//!
//! `cargo bench --bench overhead -- write_back` runs only the last one.
//! Results are printed; BENCHMARKS.md records them with the machine they came from.
//! `FORGE_BENCH_SMOKE=1` runs everything once on small inputs (what CI does): it proves the
//! bench still works, its numbers mean nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

static SMOKE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("FORGE_BENCH_SMOKE").is_some());

/// Timed runs per figure.
fn runs() -> usize {
    if *SMOKE { 1 } else { 25 }
}

/// Bytes the loud validator prints: 1 GiB, or 16 MiB in a smoke run.
fn loud_bytes() -> u64 {
    if *SMOKE { 16 << 20 } else { 1 << 30 }
}

fn main() {
    let forge = PathBuf::from(env!("CARGO_BIN_EXE_forge"));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("config dir");
    let only_write_back = std::env::args().any(|a| a == "write_back");
    if !only_write_back {
        all_but_write_back(&forge, dir.path(), config.path());
    }
    let (total, per_file) = write_back_ms(&forge, config.path());
    println!(
        "write-back of 300 files (forge apply, median of 5): {total:.0} ms, {per_file:.2} ms per file"
    );
}

fn all_but_write_back(forge: &Path, dir: &Path, config: &Path) {
    let check_ms = check_overhead(forge, dir, config);
    println!(
        "check overhead (median, {} runs): {check_ms:.1} ms over `sh -c true`",
        runs()
    );

    let (helper, bare) = sandbox_startup(forge, dir);
    println!(
        "sandboxed validator start (median, {} interleaved runs): {helper:.1} ms vs {bare:.1} ms \
         with mode off: +{:.1} ms, ratio {:.1}x",
        runs() * 2,
        helper - bare,
        helper / bare
    );
    for validators in [1, 8] {
        let (auto, off) = check_sandboxed(forge, dir, config, validators);
        println!(
            "forge check of {validators} `true` validator(s), default sandbox vs mode off \
             (median, {} interleaved runs, probe answer kept): {auto:.1} ms vs {off:.1} ms: \
             +{:.1} ms per validator, ratio {:.2}x",
            runs(),
            (auto - off) / f64::from(validators),
            auto / off
        );
    }

    let per_iter = iteration_overhead(forge, config);
    println!("engine overhead per iteration: {per_iter:.1} ms (validators excluded)");

    let rss = check_peak_rss_kib(forge, config);
    println!(
        "peak RSS of forge check while a validator prints {} MiB: {} MiB",
        loud_bytes() >> 20,
        rss / 1024
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
        (0..runs())
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
        "version: 1\nname: bench\ntask: t\nfiles: [a.txt]\nroot: .\nsandbox: {mode: off}\nvalidators:\n  - name: ok\n    run: 'true'\n",
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

/// What the runner spawns per validator, sandboxed (forge's helper running `true` in
/// namespaces, as `policy.rs` builds it) and with `mode: off` (`sh -c true`).
fn sandbox_startup(forge: &Path, root: &Path) -> (f64, f64) {
    let private = tempfile::tempdir().expect("private dir");
    let root = root.canonicalize().expect("root");
    let private_dir = private.path().canonicalize().expect("private");
    let plan = serde_json::json!({
        "run": "true",
        "namespaces": true,
        "network": false,
        "writable": [root, private_dir],
        "hidden": [],
        "limits": {"memory": 4u64 << 30, "processes": 512, "cpu_time": {"secs": 600, "nanos": 0},
                   "file_size": 1u64 << 30},
        "cgroups": [],
        "landlock": true,
    })
    .to_string();
    // Interleaved, so that both see the same load on a shared machine.
    let mut helper = Vec::new();
    let mut bare = Vec::new();
    for run in 0..=runs() * 2 {
        let t = Instant::now();
        let s = Command::new(forge)
            .args(["__sandbox-init", &plan])
            .current_dir(&root)
            .status()
            .expect("helper");
        assert!(s.success());
        let h = t.elapsed();
        let t = Instant::now();
        Command::new("sh")
            .args(["-c", "true"])
            .current_dir(&root)
            .status()
            .expect("sh");
        // The first pair warms the page cache.
        if run > 0 {
            helper.push(h);
            bare.push(t.elapsed());
        }
    }
    let (helper, bare) = (median(helper), median(bare));
    (helper, bare)
}

/// `forge check` with `n` `true` validators, default sandbox and `mode: off`, interleaved so
/// that both see the same load. The first pair warms the page cache and keeps the probe's
/// answer, as any earlier forge on the machine would have.
fn check_sandboxed(forge: &Path, root: &Path, config: &Path, n: u32) -> (f64, f64) {
    let validators: String = (0..n)
        .map(|i| format!("  - name: ok{i}\n    run: 'true'\n"))
        .collect();
    let names = [format!("auto{n}.yaml"), format!("off{n}.yaml")];
    for (name, sandbox) in names.iter().zip(["", "sandbox: {mode: off}\n"]) {
        std::fs::write(
            root.join(name),
            format!("version: 1\nname: bench\ntask: t\nfiles: [a.txt]\nroot: .\n{sandbox}validators:\n{validators}"),
        )
        .expect("write contract");
    }
    let once = |name: &str| {
        let t = Instant::now();
        let s = forge_cmd(forge, root, config)
            .args(["check", name])
            .status()
            .expect("forge");
        assert!(s.success());
        t.elapsed()
    };
    let (mut auto, mut off) = (Vec::new(), Vec::new());
    for run in 0..=runs() {
        let (a, o) = (once(&names[0]), once(&names[1]));
        if run > 0 {
            auto.push(a);
            off.push(o);
        }
    }
    (median(auto), median(off))
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
    let (samples, long) = if *SMOKE { (1, 3) } else { (5, 21) };
    let mut slopes = Vec::new();
    for _ in 0..samples {
        let (w1, v1) = converge(forge, config, 1);
        let (wn, vn) = converge(forge, config, long);
        slopes.push(((wn - vn) - (w1 - v1)) / f64::from(long - 1));
    }
    slopes.sort_by(|a, b| a.total_cmp(b));
    slopes[slopes.len() / 2]
}

fn check_peak_rss_kib(forge: &Path, config: &Path) -> i64 {
    let root = tempfile::tempdir().expect("root");
    std::fs::write(
        root.path().join("c.yaml"),
        format!(
            "version: 1\nname: loud\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: loud\n    run: head -c {} /dev/zero | tr '\\0' x\n    timeout: 2m\n",
            loud_bytes()
        ),
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

/// Median wall time of `forge apply RUN --yes` writing back 300 files, and per file.
fn write_back_ms(forge: &Path, config: &Path) -> (f64, f64) {
    const FILES: usize = 300;
    let mut times = Vec::new();
    for _ in 0..5 {
        let root = tempfile::tempdir().expect("root");
        let r = root.path();
        std::fs::create_dir_all(r.join("src")).expect("mkdir");
        let mut answer = String::new();
        for i in 0..FILES {
            std::fs::write(r.join(format!("src/f{i:03}.txt")), "old\n").expect("write");
            answer.push_str(&format!("### FILE: src/f{i:03}.txt\n```\nnew {i}\n```\n"));
        }
        std::fs::write(
            r.join("c.yaml"),
            "version: 1\nname: bench\ntask: t\nfiles: [src/*.txt]\nroot: .\nvalidators:\n  - name: ok\n    run: 'true'\nevidence:\n  synthesis: template\n",
        )
        .expect("write contract");
        let cassette = serde_json::json!({ "response": answer }).to_string();
        std::fs::write(r.join("cassette.jsonl"), cassette + "\n").expect("write cassette");
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
        assert_eq!(s.code(), Some(0), "the bench run converges");
        let run = std::fs::read_dir(r.join(".forge/runs"))
            .expect("runs")
            .flatten()
            .next()
            .expect("one run")
            .file_name();
        let run = run.to_string_lossy().into_owned();
        let t = Instant::now();
        let s = forge_cmd(forge, r, config)
            .args(["apply", &run, "--yes", "--approver", "bench@example.com"])
            .status()
            .expect("forge");
        times.push(t.elapsed());
        assert_eq!(s.code(), Some(0), "apply writes back");
    }
    let total = median(times);
    (total, total / FILES as f64)
}
