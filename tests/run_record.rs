//! SPEC §6 through the binary: every run keeps its folder (events.jsonl, contract.yaml,
//! cassette.jsonl, artifacts/, the pack), the pack says where answers came from, and every way
//! a run ends is recorded with the tokens it spent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use sha2::{Digest, Sha256};
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

const CONTRACT: &str = "contracts/t.yaml";

fn project() -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        CONTRACT,
        "version: 1\nname: t\ntask: |\n  Make src/a.txt say done.\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: done\n    run: grep -q done src/a.txt\nthreshold: 1.0\nevidence:\n  synthesis: template\n",
    );
    p
}

fn answer(text: &str) -> String {
    format!("### FILE: src/a.txt\n```\n{text}\n```\n")
}

/// A scripted cassette: plain `{"response": ...}` lines, answered in order.
fn cassette(p: &Project, answers: &[&str]) -> std::path::PathBuf {
    let lines: String = answers
        .iter()
        .map(|a| format!("{}\n", serde_json::json!({ "response": answer(a) })))
        .collect();
    p.file("script.jsonl", &lines)
}

fn sha256_file(path: &std::path::Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

fn only_run_dir(p: &Project) -> std::path::PathBuf {
    let runs: Vec<_> = std::fs::read_dir(p.join(".forge/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

fn pack(dir: &std::path::Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("evidence.json")).unwrap()).unwrap()
}

#[test]
fn a_replayed_run_keeps_its_folder_and_says_it_was_replayed() {
    let p = project();
    let script = cassette(&p, &["not yet", "done"]);
    let out = p
        .forge(&[
            "--json",
            "converge",
            CONTRACT,
            "--replay",
            script.to_str().unwrap(),
            "--no-apply",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = only_run_dir(&p);

    // events.jsonl is exactly the --json stream.
    let events = std::fs::read(dir.join("events.jsonl")).unwrap();
    assert_eq!(
        events, out.stdout,
        "events.jsonl equals what --json printed"
    );
    // contract.yaml is a byte copy of the contract as loaded.
    assert_eq!(
        std::fs::read(dir.join("contract.yaml")).unwrap(),
        std::fs::read(p.join(CONTRACT)).unwrap()
    );
    // cassette.jsonl holds both exchanges, replayable.
    let kept = std::fs::read_to_string(dir.join("cassette.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), 2, "{kept}");
    assert!(kept.contains("not yet") && kept.contains("done"));
    // artifacts/ holds the final file although --no-apply left the root alone.
    assert_eq!(
        std::fs::read_to_string(dir.join("artifacts/src/a.txt")).unwrap(),
        "done\n"
    );
    assert_eq!(p.read("src/a.txt"), "todo\n");

    let pack = pack(&dir);
    let llm = &pack["metadata"]["llm"];
    assert_eq!(llm["source"], "replay");
    assert_eq!(llm["host"], Value::Null, "no host answered: {llm}");
    assert_eq!(
        llm["provider"], "unrecorded",
        "a scripted cassette names no model: {llm}"
    );
    assert_eq!(llm["cassette"]["sha256"], sha256_file(&script));
    assert_eq!(
        pack["raw_evidence"]["events_sha256"],
        hex::encode(Sha256::digest(&events))
    );
    let md = std::fs::read_to_string(dir.join("evidence.md")).unwrap();
    let head: String = md.lines().take(5).collect::<Vec<_>>().join("\n");
    assert!(head.contains("Replayed run"), "{head}");
    assert!(
        !md.contains("api.openai.com"),
        "a replayed pack claims no host: {md}"
    );

    p.forge(&[
        "evidence",
        "verify",
        dir.join("evidence.json").to_str().unwrap(),
    ])
    .assert()
    .code(0);
}

#[test]
fn a_live_run_keeps_a_cassette_without_the_key_and_names_its_host() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    p.forge_with_llm(&llm, &["converge", CONTRACT, "--no-apply"])
        .assert()
        .code(0);
    let dir = only_run_dir(&p);
    let kept = std::fs::read_to_string(dir.join("cassette.jsonl")).unwrap();
    assert_eq!(kept.lines().count(), 1, "{kept}");
    let env = llm.env_vars();
    let key = env
        .iter()
        .find(|(k, _)| k.ends_with("_API_KEY"))
        .map(|(_, v)| v.clone())
        .expect("the fake hands out a key");
    assert!(!kept.contains(&key), "the key reached the cassette");
    let pack = pack(&dir);
    let llm_ref = &pack["metadata"]["llm"];
    assert_eq!(llm_ref["source"], "live");
    assert!(
        llm.base_url().contains(llm_ref["host"].as_str().unwrap()),
        "{llm_ref}"
    );
    assert!(llm_ref.get("cassette").is_none());
}

#[test]
fn the_pack_is_a_fold_of_events_jsonl() {
    let p = project();
    let script = cassette(&p, &["nope", "done"]);
    p.forge(&["converge", CONTRACT, "--replay", script.to_str().unwrap()])
        .assert()
        .code(0);
    let dir = only_run_dir(&p);
    let rebuilt = forge::evidence::rebuild(&dir.join("events.jsonl")).unwrap();
    let mut written = pack(&dir);
    written.as_object_mut().unwrap().remove("integrity");
    let rebuilt = serde_json::to_value(&rebuilt).unwrap();
    assert_eq!(
        serde_jcs::to_vec(&rebuilt).unwrap(),
        serde_jcs::to_vec(&written).unwrap(),
        "rebuilding the pack from events.jsonl gives the same canonical bytes"
    );
}

#[test]
fn a_validator_that_cannot_start_is_an_error_and_its_tokens_count() {
    let p = project();
    let script = cassette(&p, &["done"]);
    let no_shell = tempfile::tempdir().unwrap();
    let out = p
        .command(&["converge", CONTRACT, "--replay", script.to_str().unwrap()])
        .env("PATH", no_shell.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot start `sh`"), "{stderr}");
    let dir = only_run_dir(&p);
    let pack = pack(&dir);
    let outcome = &pack["raw_evidence"]["outcome"];
    assert_eq!(outcome["status"], "error", "{outcome}");
    assert!(
        outcome["reason"].as_str().unwrap().contains("cannot start"),
        "{outcome}"
    );
    let tokens = pack["raw_evidence"]["metrics"]["tokens_used"]
        .as_u64()
        .unwrap();
    assert!(tokens > 0, "the answer's tokens are counted: {pack}");
    let runs: Value = serde_json::from_slice(
        &p.forge(&["runs", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(runs[0]["status"], "error");
    assert_eq!(runs[0]["tokens"], tokens);
}
