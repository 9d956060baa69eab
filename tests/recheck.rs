//! `forge evidence recheck`: the stored contract's validators run again on the kept artifacts,
//! in a private copy of the root, and compared with the pack's final iteration.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use predicates::prelude::*;
use sha2::{Digest, Sha256};
use support::Project;
use support::records::{KEY_BYTES, key, sample_pack};

const RUN: &str = "01JTESTRUN0000000000000004";
const CONTRACT: &str = "version: 1
name: greet
task: write src/greet.txt
files: [src/greet.txt]
validators:
  - name: hello
    run: grep -q hello src/greet.txt
  - name: spec
    run: sh tests/spec.sh
    parse: tap
";
const ARTIFACT: &str = "hello world\n";
/// Two TAP results: partial credit 0.5 when the second fails.
const SPEC: &str = "echo 1..2; echo ok 1; if grep -q world src/greet.txt; then echo ok 2; else echo not ok 2; exit 1; fi\n";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A root holding the contract and the spec script, and a run folder as forge keeps one:
/// contract.yaml, artifacts/, evidence.json recording `hello` exit 0 and `spec` exit 0.
fn run_folder(p: &Project) -> std::path::PathBuf {
    p.file("contracts/greet.yaml", CONTRACT);
    p.file("tests/spec.sh", SPEC);
    p.file("src/greet.txt", "the root's own version\n");
    let dir = forge::layout::run_dir(p.path(), RUN);
    std::fs::create_dir_all(dir.join("artifacts/src")).unwrap();
    std::fs::write(dir.join("contract.yaml"), CONTRACT).unwrap();
    std::fs::write(dir.join("artifacts/src/greet.txt"), ARTIFACT).unwrap();
    let mut v = serde_json::to_value(sample_pack()).unwrap();
    v["metadata"]["run_id"] = RUN.into();
    v["metadata"]["contract"]["sha256"] = sha(CONTRACT.as_bytes()).into();
    v["raw_evidence"]["artifacts"] = serde_json::json!([
        {"path": "src/greet.txt", "sha256": sha(ARTIFACT.as_bytes()), "size": ARTIFACT.len()}
    ]);
    let validation = |name: &str, score: f64| {
        serde_json::json!({"name": name, "kind": "custom", "command": "", "exit_code": 0,
            "timed_out": false, "duration_ms": 5, "score": score, "output_sha256": "", "output_excerpt": ""})
    };
    let last = v["raw_evidence"]["iterations"].as_array().unwrap().len() - 1;
    v["raw_evidence"]["iterations"][last]["validations"] =
        serde_json::json!([validation("hello", 1.0), validation("spec", 1.0)]);
    let mut pack: forge::evidence::EvidencePack = serde_json::from_value(v).unwrap();
    forge::evidence::sign(&mut pack, &key(KEY_BYTES)).unwrap();
    forge::evidence::write_pack(&dir, &pack).unwrap();
    dir
}

#[test]
fn a_run_whose_validators_still_give_the_recorded_result_matches() {
    let p = Project::new();
    let dir = run_folder(&p);
    p.forge(&["evidence", "recheck", RUN])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "same    hello: now exit 0, score 1.00; the pack says exit 0, score 1.00",
        ))
        .stdout(predicate::str::contains(
            "every validator gives the recorded result",
        ));
    // By path too, from anywhere: the pack's folder leads to its root.
    let out = p
        .forge(&[
            "--json",
            "evidence",
            "recheck",
            &dir.join("evidence.json").display().to_string(),
        ])
        .current_dir(std::env::temp_dir())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["matches"], true);
    assert_eq!(r["validators"][1]["now"]["score"], 1.0);
    // Ran on the artifacts, in a copy: the root keeps its own file.
    assert_eq!(p.read("src/greet.txt"), "the root's own version\n");
}

#[test]
fn a_validator_that_now_scores_differently_is_named() {
    let p = Project::new();
    run_folder(&p);
    // The tests changed since the run: the artifact no longer satisfies them.
    p.file("tests/spec.sh", &SPEC.replace("world", "planet"));
    let out = p
        .forge(&["--json", "evidence", "recheck", RUN])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "validators that differ from the pack: spec",
        ))
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["matches"], false);
    assert_eq!(r["validators"][0]["matches"], true);
    assert_eq!(
        r["validators"][1]["now"],
        serde_json::json!({"exit_code": 1, "timed_out": false, "score": 0.5})
    );
}

#[test]
fn altered_artifacts_or_contract_stop_before_anything_runs() {
    let p = Project::new();
    let dir = run_folder(&p);
    // A validator that would leave a trace if it ran.
    p.file(
        "tests/spec.sh",
        &format!("touch {}/ran\n{SPEC}", p.path().display()),
    );
    std::fs::write(dir.join("artifacts/src/greet.txt"), "hello world!\n").unwrap();
    p.forge(&["evidence", "recheck", RUN])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the kept artifacts do not match the pack, nothing was run: src/greet.txt: modified",
        ));
    std::fs::write(dir.join("artifacts/src/greet.txt"), ARTIFACT).unwrap();
    std::fs::write(
        dir.join("contract.yaml"),
        CONTRACT.replace("grep -q hello", "true"),
    )
    .unwrap();
    p.forge(&["evidence", "recheck", RUN])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not the contract this run used"));
    assert!(!p.join("ran").exists(), "nothing ran");
    std::fs::remove_file(dir.join("contract.yaml")).unwrap();
    p.forge(&["evidence", "recheck", RUN])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the run's stored contract"));
    // An altered pack is not rechecked either.
    std::fs::write(dir.join("contract.yaml"), CONTRACT).unwrap();
    let text = std::fs::read_to_string(dir.join("evidence.json")).unwrap();
    std::fs::write(
        dir.join("evidence.json"),
        text.replacen("\"score\": 1.0", "\"score\": 0.9", 1),
    )
    .unwrap();
    p.forge(&["evidence", "recheck", RUN])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "does not hash to its integrity.sha256",
        ));
}
