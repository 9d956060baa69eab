//! `cargo bench --bench sent`: what forge sends to the model, counted (no timings).
//!
//! - Characters sent to converge the slugify example (`contracts/slugify.yaml`) through the
//!   real `forge` binary and a loopback OpenAI-format server that answers with the scripted
//!   answers of `contracts/cassettes/slugify.jsonl` (answer 1 fails one test, answer 2 passes,
//!   then the synthesis): the characters of every system prompt and message, per call and in
//!   all, against aider 0.86.2's 13,200 on the same script.
//! - The failure digest on every real capture under `tests/data/captures/`: tokens of the raw
//!   output against tokens sent, and how many of the raw output's `file:line` locations in the
//!   project (toolchain frames such as `/rustc/...` or `/usr/lib/go/...` left out) the digest
//!   kept; the failing test names are checked one by one in `tests/digest.rs`.
//!
//! `FORGE_BENCH_SMOKE=1` changes nothing here: both are quick and deterministic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use forge::llm::estimate_tokens;
use regex::Regex;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::Project;
use support::fake_llm::{FakeLlm, Provider, Reply, content_text};

const AIDER_CHARS: usize = 13_200;
const DIGEST_CAP: usize = 2_000;

fn main() {
    slugify_characters();
    println!();
    digest_reduction();
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().expect("file type").is_dir() {
            if e.file_name() != ".forge" && e.file_name() != "__pycache__" {
                copy_dir(&e.path(), &target);
            }
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// Characters of a request's system prompt and messages, as a person would count them.
fn characters(body: &Value) -> usize {
    let system = match &body["system"] {
        Value::Null => 0,
        s => content_text(s).chars().count(),
    };
    let messages: usize = body["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| content_text(&m["content"]).chars().count())
                .sum()
        })
        .unwrap_or(0);
    system + messages
}

fn slugify_characters() {
    let p = Project::new();
    copy_dir(
        &repo().join("examples/slugify"),
        &p.join("examples/slugify"),
    );
    copy_dir(&repo().join("contracts"), &p.join("contracts"));
    let llm = FakeLlm::start(Provider::Openai);
    let cassette = std::fs::read_to_string(repo().join("contracts/cassettes/slugify.jsonl"))
        .expect("cassette");
    for line in cassette.lines().filter(|l| !l.trim().is_empty()) {
        let entry: Value = serde_json::from_str(line).expect("cassette line");
        llm.push(Reply::text(entry["response"].as_str().expect("response")));
    }
    let out = p
        .forge_with_llm(&llm, &["converge", "contracts/slugify.yaml", "--no-apply"])
        .output()
        .expect("forge converge");
    assert_eq!(
        out.status.code(),
        Some(0),
        "the scripted slugify run converges: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = llm.requests();
    println!("characters sent to converge slugify (forge's own prompts, scripted answers)");
    println!("{:<12} {:>10}", "call", "characters");
    let mut total = 0;
    for (i, r) in requests.iter().enumerate() {
        let n = characters(&r.body);
        total += n;
        let what = if i + 1 == requests.len() {
            "synthesis".to_string()
        } else {
            format!("generate {}", i + 1)
        };
        println!("{what:<12} {n:>10}");
    }
    println!("{:<12} {total:>10}", "total");
    println!(
        "against aider 0.86.2's {AIDER_CHARS}: {:.2}x (target <= 0.45x)",
        total as f64 / AIDER_CHARS as f64
    );
}

fn digest_reduction() {
    let location = Regex::new(r"[A-Za-z0-9_./-]+\.[A-Za-z]{1,4}:\d+").expect("regex");
    let dir = repo().join("tests/data/captures");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("captures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    println!(
        "failure digest on the real captures in tests/data/captures (cap {DIGEST_CAP} tokens)"
    );
    println!(
        "{:<28} {:>8} {:>6} {:>8} {:>12}",
        "capture", "raw tok", "sent", "fewer", "locations"
    );
    let (mut raw_all, mut sent_all) = (0u64, 0u64);
    let (mut kept_all, mut seen_all) = (0usize, 0usize);
    let (mut big_raw, mut big_sent) = (0u64, 0u64);
    for name in names {
        let raw = std::fs::read_to_string(dir.join(&name)).expect("capture");
        let digest = forge::validate::digest(&raw, DIGEST_CAP);
        let (r, s) = (estimate_tokens(&raw), estimate_tokens(&digest));
        raw_all += r;
        sent_all += s;
        if r > 10_000 {
            big_raw += r;
            big_sent += s;
        }
        let plain = strip_ansi(&raw);
        let locations: BTreeSet<&str> = location
            .find_iter(&plain)
            .map(|m| m.as_str().trim_start_matches("./"))
            .filter(|l| !is_toolchain(l))
            .collect();
        let kept = locations.iter().filter(|l| digest.contains(*l)).count();
        kept_all += kept;
        seen_all += locations.len();
        println!(
            "{name:<28} {r:>8} {s:>6} {:>7.1}% {:>12}",
            100.0 * (1.0 - s as f64 / r.max(1) as f64),
            format!("{kept}/{}", locations.len())
        );
    }
    println!(
        "{:<28} {raw_all:>8} {sent_all:>6} {:>7.1}% {:>12}",
        "all",
        100.0 * (1.0 - sent_all as f64 / raw_all.max(1) as f64),
        format!("{kept_all}/{seen_all}")
    );
    println!(
        "{:<28} {big_raw:>8} {big_sent:>6} {:>7.1}%",
        "captures over 10k tokens",
        100.0 * (1.0 - big_sent as f64 / big_raw.max(1) as f64),
    );
}

/// A frame inside the language's own runtime or libraries, not the project's code.
fn is_toolchain(location: &str) -> bool {
    [
        "/rustc/",
        "/usr/lib/",
        "/usr/local/lib/",
        "site-packages/",
        "node:",
    ]
    .iter()
    .any(|p| location.starts_with(p) || location.contains(&format!("/{p}")))
}

/// The capture without colour codes, so a location split by an escape still counts.
fn strip_ansi(text: &str) -> String {
    let esc = Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").expect("regex");
    esc.replace_all(text, "").into_owned()
}
