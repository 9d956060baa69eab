//! The privacy guard on a real run: `forge converge` against the fake LLM server, reading what
//! the server received. Defaults mask secrets (and map them back into the files written),
//! `block` sends nothing, `detect` sends and records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

const CONTRACT: &str = "contracts/t.yaml";
// Fake but well-formed values, planted in the project's files (forge:allow on each line).
const TOKEN: &str = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb"; // forge:allow
const AWS: &str = "AKIAZ7ZQ2XK4LMNB3PQR"; // forge:allow
const DB_PASSWORD: &str = "Zq8vLx2mTp4wR7kN"; // forge:allow
const EMAIL: &str = "jane.doe@acme-mail.de"; // forge:allow
/// The mask key the test puts under `.forge/`, so it can compute the placeholders.
const KEY_HEX: &str = "0101010101010101010101010101010101010101010101010101010101010101";

fn project(privacy: &str) -> Project {
    let p = Project::new();
    p.file(
        "src/app.py",
        &format!("import os\nTOKEN = '{TOKEN}'\nOWNER = '{EMAIL}'\n"),
    );
    p.file(
        "config/prod.env",
        &format!(
            "AWS_ACCESS_KEY_ID={AWS}\nDATABASE_URL=postgres://app:{DB_PASSWORD}@db.internal/app\n"
        ),
    );
    p.file(
        CONTRACT,
        &format!(
            "version: 1\nname: t\ntask: |\n  Mark the token line in src/app.py as fixed.\nfiles: [src/app.py]\ncontext: [config/prod.env]\nroot: ..\nthreshold: 1\nvalidators:\n  - name: fixed\n    run: grep -q fixed src/app.py\nevidence:\n  synthesis: template\n{privacy}"
        ),
    );
    p
}

/// The placeholder forge derives for `value` of `kind` with the test's key.
fn placeholder(kind: &str, value: &str) -> String {
    let key = hex::decode(KEY_HEX).unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    let tag = hex::encode(mac.finalize().into_bytes());
    format!("FORGE_MASK_{}_{}", kind.to_ascii_uppercase(), &tag[..12])
}

fn converge(p: &Project, llm: &FakeLlm) -> std::process::Output {
    p.forge_with_llm(llm, &["--json", "converge", CONTRACT])
        .output()
        .unwrap()
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn pack(out: &std::process::Output) -> Value {
    let last = lines(out).pop().unwrap();
    let path = last["evidence"].as_str().unwrap().to_string();
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every file forge wrote under `.forge/` (events, cassette, history, pack), but the key and
/// the kept artifacts (copies of the project's own files, which hold the value anyway).
fn recorded_bytes(p: &Project) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![p.join(".forge")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                if !path.ends_with("artifacts") {
                    stack.push(path);
                }
            } else if !path.ends_with("privacy.key") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn defaults_mask_secrets_and_write_the_real_values_back() {
    let p = project("");
    p.file(".forge/privacy.key", &format!("{KEY_HEX}\n"));
    let masked = placeholder("github_token", TOKEN);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_reply(&format!(
        "### EDIT: src/app.py\n```\n<<<<<<< SEARCH\nTOKEN = '{masked}'\n=======\nTOKEN = '{masked}'  # fixed\n>>>>>>> REPLACE\n```\n"
    ));
    let out = converge(&p, &llm);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let sent = llm.requests();
    assert_eq!(sent.len(), 1);
    for secret in [TOKEN, AWS, DB_PASSWORD] {
        assert!(!sent[0].raw.contains(secret), "a secret reached the model");
    }
    assert!(sent[0].raw.contains(&masked), "the placeholder was sent");
    assert!(sent[0].raw.contains(&placeholder("aws_access_key", AWS)));
    assert!(
        sent[0].raw.contains(EMAIL),
        "personal data is only detected by default"
    );

    // The placeholder in the answer's SEARCH and REPLACE became the real value again.
    assert_eq!(
        p.read("src/app.py"),
        format!("import os\nTOKEN = '{TOKEN}'  # fixed\nOWNER = '{EMAIL}'\n")
    );
    for (file, bytes) in recorded_bytes(&p) {
        for secret in [TOKEN, AWS, DB_PASSWORD] {
            assert!(!contains(&bytes, secret), "{file} holds a secret");
        }
    }

    let privacy = &pack(&out)["raw_evidence"]["privacy"];
    assert_eq!(privacy["secrets"], "mask");
    assert_eq!(privacy["pii"], "detect");
    let found: Vec<(String, String, u64, String)> = privacy["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["source"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("github_token", "src/app.py", 2, "masked"),
        ("email", "src/app.py", 3, "detected"),
        ("aws_access_key", "config/prod.env", 1, "masked"),
        ("url_credentials", "config/prod.env", 2, "masked"),
    ] {
        let want = (want.0.into(), want.1.into(), want.2, want.3.into());
        assert!(found.contains(&want), "{want:?} not in {found:?}");
    }
}

#[test]
fn block_stops_before_any_request_naming_file_line_and_kind() {
    let p = project("privacy:\n  secrets: block\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_reply("never asked");
    let out = converge(&p, &llm);
    assert_eq!(out.status.code(), Some(2));
    assert!(llm.requests().is_empty(), "a request was made");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config/prod.env:1: aws_access_key")
            || err.contains("src/app.py:2: github_token"),
        "{err}"
    );
    assert!(err.contains("privacy.secrets is `block`"), "{err}");
    assert!(!err.contains(TOKEN) && !err.contains(AWS));
}

#[test]
fn detect_sends_as_is_and_records_the_findings() {
    let p = project(
        "privacy:\n  secrets: detect\n  pii: detect\n  allow: ['/^postgres/', Zq8vLx2mTp4wR7kN]\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[(
        "src/app.py",
        &format!("import os\nTOKEN = '{TOKEN}'  # fixed\n"),
    )]);
    let out = converge(&p, &llm);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = &llm.requests()[0].raw;
    assert!(sent.contains(TOKEN) && sent.contains(AWS) && sent.contains(EMAIL));
    let events = lines(&out);
    let findings: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "privacy_finding")
        .collect();
    assert!(
        findings.iter().any(|f| f["kind"] == "github_token"
            && f["source"] == "src/app.py"
            && f["line"] == 2
            && f["count"] == 1
            && f["action"] == "detected"),
        "{findings:?}"
    );
    assert!(
        findings.iter().all(|f| f["kind"] != "url_credentials"),
        "allowed value flagged"
    );
    let stream = String::from_utf8_lossy(&out.stdout);
    assert!(!stream.contains(TOKEN), "a value in the event stream");
    let recorded = &pack(&out)["raw_evidence"]["privacy"]["findings"];
    assert_eq!(recorded.as_array().unwrap().len(), findings.len());
}
