//! `forge evidence show|export|verify` on packs signed through the library, and tampered ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use predicates::prelude::*;
use support::Project;
use support::records::{KEY_BYTES, SAMPLE_ARTIFACT, key, key_file, sample_pack, write_signed_pack};

const RUN: &str = "01JTESTRUN0000000000000001";

fn signed(p: &Project) -> (std::path::PathBuf, String) {
    let pack = write_signed_pack(p.path(), RUN, &key(KEY_BYTES));
    let kf = key_file(p, "test.key", KEY_BYTES);
    (pack, kf.display().to_string())
}

fn verify_json(p: &Project, pack: &str, key_file: &str, code: i32) -> serde_json::Value {
    let out = p
        .forge(&["evidence", "verify", pack, "--key-file", key_file, "--json"])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("verify --json prints JSON")
}

fn failed_check<'a>(report: &'a serde_json::Value, name: &str) -> &'a str {
    let check = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no `{name}` check in {report}"));
    assert_eq!(check["ok"], false, "{report}");
    check["detail"].as_str().unwrap_or_default()
}

/// Rewrite the pack file through `f` on its text.
fn tamper(path: &std::path::Path, f: impl FnOnce(String) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(text)).unwrap();
}

#[test]
fn a_signed_pack_verifies_with_its_key() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let pack = pack.display().to_string();
    p.forge(&["evidence", "verify", &pack, "--key-file", &kf])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ok   signature: valid"))
        .stdout(predicate::str::contains("valid"));
    let report = verify_json(&p, &pack, &kf, 0);
    assert_eq!(report["valid"], true);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["parse", "schema", "canonical hash", "signature"]);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&pack).unwrap()).unwrap();
    assert_eq!(written["integrity"]["canonicalization"], "JCS (RFC 8785)");
    assert_eq!(written["integrity"]["algorithm"], "hmac-sha256");
    assert_eq!(written["integrity"]["key_id"], key(KEY_BYTES).key_id());
}

#[test]
fn a_reindented_pack_is_still_valid() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    tamper(&pack, |t| {
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        serde_json::to_string(&v).unwrap()
    });
    assert_eq!(
        verify_json(&p, &pack.display().to_string(), &kf, 0)["valid"],
        true
    );
}

#[test]
fn an_altered_field_is_invalid_and_named() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    tamper(&pack, |t| {
        t.replacen("\"status\": \"converged\"", "\"status\": \"stagnated\"", 1)
    });
    let report = verify_json(&p, &pack.display().to_string(), &kf, 1);
    assert_eq!(report["valid"], false);
    assert!(failed_check(&report, "canonical hash").contains("altered: hash mismatch"));
    assert!(failed_check(&report, "signature").contains("altered"));
    p.forge(&[
        "evidence",
        "verify",
        &pack.display().to_string(),
        "--key-file",
        &kf,
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains(
        "invalid: failed check: canonical hash",
    ));
}

#[test]
fn a_flipped_byte_is_invalid() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let mut bytes = std::fs::read(&pack).unwrap();
    let at = bytes
        .windows(14)
        .position(|w| w == b"AssertionError")
        .unwrap();
    bytes[at] ^= 0x02; // 'A' -> 'C': still JSON, different content
    std::fs::write(&pack, &bytes).unwrap();
    let report = verify_json(&p, &pack.display().to_string(), &kf, 1);
    assert!(failed_check(&report, "canonical hash").contains("hash mismatch"));
}

#[test]
fn a_flipped_signature_byte_is_invalid_with_a_good_hash() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let sig = sample_signature(&pack);
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 10 {
                if c == '0' { '1' } else { '0' }
            } else {
                c
            }
        })
        .collect();
    tamper(&pack, |t| t.replace(&sig, &flipped));
    let report = verify_json(&p, &pack.display().to_string(), &kf, 1);
    assert_eq!(report["checks"][2]["ok"], true, "{report}");
    assert!(failed_check(&report, "signature").contains("does not match"));
}

fn sample_signature(pack: &std::path::Path) -> String {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(pack).unwrap()).unwrap();
    v["integrity"]["signature"].as_str().unwrap().to_string()
}

#[test]
fn an_added_field_is_caught() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    tamper(&pack, |t| {
        t.replacen("{", "{\n  \"note\": \"all fine, trust me\",", 1)
    });
    let report = verify_json(&p, &pack.display().to_string(), &kf, 1);
    assert!(failed_check(&report, "canonical hash").contains("hash mismatch"));
}

#[test]
fn truncated_garbage_and_missing_packs_are_unreadable() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let text = std::fs::read_to_string(&pack).unwrap();
    let cut = p.file("cut.json", &text[..text.len() / 2]);
    p.forge(&[
        "evidence",
        "verify",
        &cut.display().to_string(),
        "--key-file",
        &kf,
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("unreadable").and(predicate::str::contains("parse")));
    let report = verify_json(&p, &cut.display().to_string(), &kf, 2);
    assert!(failed_check(&report, "parse").contains("not a JSON document"));
    p.file("junk.json", "this is not json");
    p.forge(&["evidence", "verify", "junk.json", "--key-file", &kf])
        .assert()
        .code(2);
    p.forge(&["evidence", "verify", "nope.json", "--key-file", &kf])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read evidence pack nope.json",
        ));
}

#[test]
fn another_key_is_told_apart_from_tampering() {
    let p = Project::new();
    let (pack, _) = signed(&p);
    let other = key_file(&p, "other.key", b"a completely different key");
    let report = verify_json(
        &p,
        &pack.display().to_string(),
        &other.display().to_string(),
        1,
    );
    let detail = failed_check(&report, "signature");
    let want = format!(
        "signed with another key (key_id {}, yours is {})",
        key(KEY_BYTES).key_id(),
        key(b"a completely different key").key_id()
    );
    assert_eq!(detail, want);
    assert_eq!(
        report["checks"][2]["ok"], true,
        "the content itself is intact: {report}"
    );
}

#[test]
fn without_any_key_the_signature_cannot_pass_and_no_key_is_created() {
    let p = Project::new();
    let (pack, _) = signed(&p);
    p.forge(&["evidence", "verify", &pack.display().to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL signature: cannot check the signature: no evidence key",
        ));
    assert!(
        !p.config_home.path().join("forge/evidence.key").exists(),
        "verify must not create a key"
    );
    p.forge(&[
        "evidence",
        "verify",
        &pack.display().to_string(),
        "--key-file",
        "missing.key",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("evidence key file missing.key"));
}

#[test]
fn the_key_comes_from_the_environment_or_the_config_home() {
    let p = Project::new();
    let (pack, _) = signed(&p);
    let pack = pack.display().to_string();
    p.forge(&["evidence", "verify", &pack])
        .env("FORGE_EVIDENCE_KEY", hex::encode(KEY_BYTES))
        .assert()
        .code(0);
    p.forge(&["evidence", "verify", &pack])
        .env(
            "FORGE_EVIDENCE_KEY",
            std::str::from_utf8(KEY_BYTES).unwrap(),
        )
        .assert()
        .code(0);
    let default = p.config_home.path().join("forge/evidence.key");
    std::fs::create_dir_all(default.parent().unwrap()).unwrap();
    std::fs::write(&default, KEY_BYTES).unwrap();
    p.forge(&["evidence", "verify", &pack]).assert().code(0);
    // --key-file wins over the others.
    let other = key_file(&p, "other.key", b"wrong");
    p.forge(&[
        "evidence",
        "verify",
        &pack,
        "--key-file",
        &other.display().to_string(),
    ])
    .assert()
    .code(1);
}

#[test]
fn an_unknown_schema_is_invalid() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    tamper(&pack, |t| {
        t.replacen("forge.evidence/v1", "forge.evidence/v9", 1)
    });
    let report = verify_json(&p, &pack.display().to_string(), &kf, 1);
    assert!(failed_check(&report, "schema").contains("unknown schema `forge.evidence/v9`"));
}

#[test]
fn artifacts_are_checked_against_a_folder() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let pack = pack.display().to_string();
    p.file("work/src/slug.py", SAMPLE_ARTIFACT);
    let args = [
        "evidence",
        "verify",
        &pack,
        "--key-file",
        &kf,
        "--artifacts",
        "work",
        "--json",
    ];
    let out = p.forge(&args).assert().code(0).get_output().stdout.clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["checks"][4]["name"], "artifact src/slug.py");
    assert_eq!(report["checks"][4]["ok"], true);

    p.file(
        "work/src/slug.py",
        &SAMPLE_ARTIFACT.replace("lower", "upper"),
    );
    let out = p.forge(&args).assert().code(1).get_output().stdout.clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(failed_check(&report, "artifact src/slug.py").contains("modified"));

    std::fs::remove_file(p.join("work/src/slug.py")).unwrap();
    p.forge(&args[..7])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FAIL artifact src/slug.py: missing",
        ));
    p.forge(&[
        "evidence",
        "verify",
        &pack,
        "--key-file",
        &kf,
        "--artifacts",
        "nowhere",
    ])
    .assert()
    .code(2);
}

#[test]
fn show_renders_markdown_from_the_json_by_run_id_or_path() {
    let p = Project::new();
    let (pack, _) = signed(&p);
    let by_id = p
        .forge(&["evidence", "show", RUN])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let by_path = p
        .forge(&["evidence", "show", &pack.display().to_string()])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(by_id, by_path);
    let md = String::from_utf8(by_id).unwrap();
    assert_eq!(
        md,
        p.read(&format!(".forge/runs/{RUN}/evidence.md")),
        "evidence.md is the JSON's rendering"
    );
    for needle in [
        "# Evidence pack: slugify",
        "| n | score | tokens in / out | validation time | edits | what failed |",
        "| 1 | 0.40 | 900 / 310 |",
        "tests (failed)",
        "AssertionError: 'a b' != 'a-b'",
        "| `src/slug.py` | 61 |",
        &format!("| Key id | `{}` |", key(KEY_BYTES).key_id()),
        &format!("forge evidence verify .forge/runs/{RUN}/evidence.json"),
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    // Rendered from the JSON alone: changing the JSON changes the output.
    tamper(&pack, |t| t.replace("slugify", "renamed"));
    p.forge(&["evidence", "show", RUN])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("# Evidence pack: renamed"));
    p.forge(&["evidence", "show", "01JNOSUCHRUN00000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no evidence pack for run"));
    p.forge(&["evidence", "show", "../../etc/passwd"])
        .assert()
        .code(2);
}

#[test]
fn export_writes_json_or_markdown_to_stdout_or_a_file() {
    let p = Project::new();
    let (pack, kf) = signed(&p);
    let json = p
        .forge(&["evidence", "export", RUN, "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json, std::fs::read(&pack).unwrap());
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "json",
        "-o",
        "out/copy.json",
    ])
    .assert()
    .code(0);
    p.forge(&["evidence", "verify", "out/copy.json", "--key-file", &kf])
        .assert()
        .code(0);
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "md",
        "-o",
        "report.md",
    ])
    .assert()
    .code(0);
    let shown = p
        .forge(&["evidence", "show", RUN])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(p.read("report.md").as_bytes(), &shown[..]);
    p.forge(&["evidence", "export", RUN, "--format", "pdf"])
        .assert()
        .code(2);
}

#[test]
fn the_key_never_lands_in_forge_files() {
    let p = Project::new();
    let (_pack, _) = signed(&p);
    let h = forge::history::History::open(p.path()).unwrap();
    support::records::record_run(
        &h,
        RUN,
        "slugify",
        "2026-11-21T17:00:00.000Z",
        forge::history::RunStatus::Converged,
        2,
    );
    drop(h);
    let needles = [KEY_BYTES.to_vec(), hex::encode(KEY_BYTES).into_bytes()];
    let mut seen = 0;
    for entry in walk(&p.join(".forge")) {
        let bytes = std::fs::read(&entry).unwrap();
        seen += 1;
        for n in &needles {
            assert!(
                !bytes.windows(n.len()).any(|w| w == &n[..]),
                "key found in {}",
                entry.display()
            );
        }
    }
    assert!(
        seen >= 3,
        "history.db, evidence.json and evidence.md were checked"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path))
        } else {
            files.push(path)
        }
    }
    files
}

#[test]
fn sign_refuses_a_pack_json_cannot_carry() {
    let mut pack = sample_pack();
    pack.raw_evidence.metrics.final_score = f64::NAN;
    assert!(forge::evidence::sign(&mut pack, &key(KEY_BYTES)).is_err());
}
