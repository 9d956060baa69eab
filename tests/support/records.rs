//! Helpers for the history and evidence tests: runs written through the library, signed packs.

use forge::contract::ValidatorKind;
use forge::engine::ModelCall;
use forge::evidence::{self, EvidenceKey, EvidencePack};
use forge::history::{History, IterationRow, NewRun, RunEnd, RunStatus};
use forge::validate::Validation;
use std::path::{Path, PathBuf};

/// The unsigned sample pack in tests/data/evidence/pack.json.
pub fn sample_pack() -> EvidencePack {
    serde_json::from_str(include_str!("../data/evidence/pack.json")).expect("sample pack")
}

/// The final file the sample pack lists as its artifact, byte for byte.
pub const SAMPLE_ARTIFACT: &str = include_str!("../data/evidence/slug.py");

pub const KEY_BYTES: &[u8] = b"0123456789abcdef0123456789abcdef-test-key";

pub fn key(bytes: &[u8]) -> EvidenceKey {
    EvidenceKey::from_bytes(bytes.to_vec()).expect("key")
}

/// Write `bytes` as a key file inside the project and return its path.
pub fn key_file(p: &super::Project, name: &str, bytes: &[u8]) -> PathBuf {
    let path = p.join(name);
    std::fs::write(&path, bytes).expect("write key");
    path
}

/// Sign the sample pack for `run_id` and write it under ROOT/.forge/runs/RUN_ID/.
pub fn write_signed_pack(root: &Path, run_id: &str, key: &EvidenceKey) -> PathBuf {
    let mut pack = sample_pack();
    pack.metadata.run_id = run_id.to_string();
    evidence::sign(&mut pack, key).expect("sign");
    let dir = forge::layout::run_dir(root, run_id);
    evidence::write_pack(&dir, &pack).expect("write pack").json
}

pub fn new_run(run_id: &str, contract: &str, started_at: &str) -> NewRun {
    NewRun {
        run_id: run_id.to_string(),
        contract_name: contract.to_string(),
        contract_path: format!("contracts/{contract}.yaml"),
        contract_sha256: "c0ffee".repeat(10),
        provider: "openai".to_string(),
        model: "gpt-4o-mini".to_string(),
        started_at: started_at.to_string(),
    }
}

pub fn iteration(n: u32, score: f64) -> IterationRow {
    IterationRow {
        n,
        score,
        input_tokens: 100 * u64::from(n),
        output_tokens: 50,
        prompt_sha256: format!("{n:064}"),
        response_sha256: format!("{:064}", n + 100),
        duration_ms: 1500,
        edits_applied: 1,
        edits_refused: u32::from(n == 1),
        validators: vec![
            Validation {
                name: "tests".to_string(),
                kind: ValidatorKind::UnitTest,
                command: "python3 -m unittest".to_string(),
                exit_code: Some(if score >= 1.0 { 0 } else { 1 }),
                timed_out: false,
                duration_ms: 1200,
                score,
                output_sha256: "ab".repeat(32),
                output_excerpt: "FAILED (failures=1)".to_string(),
                output_bytes: 812,
                skipped: false,
            },
            Validation {
                name: "perf".to_string(),
                kind: ValidatorKind::Performance,
                command: "./bench.sh".to_string(),
                exit_code: None,
                timed_out: true,
                duration_ms: 30_000,
                score: 0.0,
                output_sha256: String::new(),
                output_excerpt: String::new(),
                output_bytes: 0,
                skipped: n > 1,
            },
        ],
    }
}

pub fn model_call() -> ModelCall {
    ModelCall {
        purpose: "generate".to_string(),
        provider: "openai".to_string(),
        model: "gpt-4o-mini".to_string(),
        input_tokens: 100,
        output_tokens: 50,
        cached_tokens: 0,
        cache_written_tokens: 0,
        // 100 in and 50 out at gpt-4o-mini's $0.15 and $0.60 per million.
        cost_usd: Some(0.000045),
        estimated: false,
        latency_ms: 900,
        attempts: 1,
        retries: Vec::new(),
        ok: true,
        error: None,
    }
}

/// A whole run: started, `iterations` iterations, finished with `status`.
pub fn record_run(
    h: &History,
    run_id: &str,
    contract: &str,
    started_at: &str,
    status: RunStatus,
    iterations: u32,
) {
    h.start_run(&new_run(run_id, contract, started_at))
        .expect("start_run");
    for n in 1..=iterations {
        h.record_model_call(run_id, n, &model_call())
            .expect("record_model_call");
        h.record_iteration(run_id, &iteration(n, f64::from(n) / f64::from(iterations)))
            .expect("record_iteration");
    }
    h.finish_run(
        run_id,
        &RunEnd {
            status,
            degraded: iterations > 1,
            score: 1.0,
            iterations,
            tokens: 150 * u64::from(iterations),
            finished_at: "2026-11-21T18:00:00.000Z".to_string(),
            evidence_path: Some(format!(".forge/runs/{run_id}/evidence.json")),
            reason: format!("{status} after {iterations} iterations"),
            // As `sample_pack` has them.
            raw_feedback_tokens: 1450,
            sent_feedback_tokens: 120,
        },
    )
    .expect("finish_run");
}

/// `forge key generate --out DIR` through the binary; returns (private, public) paths.
pub fn generate_key(p: &super::Project, dir: &str) -> (PathBuf, PathBuf) {
    p.forge(&["key", "generate", "--out", dir]).assert().code(0);
    let d = p.join(dir);
    (d.join("forge-signing.key"), d.join("forge-signing.pub"))
}

/// Sign the sample pack with the HMAC test key and the ed25519 key in `private`, and write it
/// under ROOT/.forge/runs/RUN_ID/.
pub fn write_v2_pack(root: &Path, run_id: &str, private: &Path) -> PathBuf {
    let mut pack = sample_pack();
    pack.metadata.run_id = run_id.to_string();
    let ed = evidence::signing_key::load_private(private).expect("signing key");
    let signers = evidence::Signers::new(key(KEY_BYTES), Some(ed));
    evidence::sign(&mut pack, &signers).expect("sign");
    let dir = forge::layout::run_dir(root, run_id);
    evidence::write_pack(&dir, &pack).expect("write pack").json
}

/// The run ids of [`three_runs`], sortable in the order they started.
pub const A: &str = "01JAAAAAAAAAAAAAAAAAAAAAAA";
pub const B: &str = "01JBBBBBBBBBBBBBBBBBBBBBBB";
pub const C: &str = "01JCCCCCCCCCCCCCCCCCCCCCCC";

/// Three finished runs of two contracts: A converged in 1 iteration, B stagnated after 3, C
/// converged in 2.
pub fn three_runs(h: &History) {
    record_run(
        h,
        A,
        "slugify",
        "2026-11-21T10:00:00.000Z",
        RunStatus::Converged,
        1,
    );
    record_run(
        h,
        B,
        "parser",
        "2026-11-21T11:00:00.000Z",
        RunStatus::Stagnated,
        3,
    );
    record_run(
        h,
        C,
        "slugify",
        "2026-11-21T12:00:00.000Z",
        RunStatus::Converged,
        2,
    );
}
