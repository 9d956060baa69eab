//! `forge scan` through the real binary: the planted corpus is found exactly, ordinary code is
//! clean, values are never printed, git's ignore rules pick the default files, and the command
//! works as a `security` validator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

fn corpus() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/privacy")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `forge scan` run in the corpus folder.
fn scan_corpus(args: &[&str]) -> std::process::Output {
    let p = Project::new();
    let mut cmd = p.command(&[]);
    cmd.current_dir(corpus()).arg("scan").args(args);
    cmd.output().expect("run forge scan")
}

#[test]
fn every_planted_value_is_found_with_its_kind_and_line() {
    let out = scan_corpus(&["--pii", "planted"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let expected = std::fs::read_to_string(corpus().join("expected.txt")).unwrap();
    assert_eq!(stdout(&out), expected);
    for kind in [
        "openai_key",
        "anthropic_key",
        "aws_access_key",
        "github_token",
        "gitlab_token",
        "slack_token",
        "slack_webhook",
        "google_key",
        "stripe_key",
        "private_key",
        "jwt",
        "url_credentials",
        "assigned_secret",
        "email",
        "phone",
        "iban",
        "card_number",
    ] {
        assert!(
            expected.contains(&format!(": {kind}\n")),
            "{kind} not planted"
        );
    }
}

#[test]
fn ordinary_code_is_clean() {
    let out = scan_corpus(&["--pii", "clean"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn without_pii_only_secrets_are_reported() {
    let out = scan_corpus(&["planted"]);
    let text = stdout(&out);
    assert!(text.contains("billing.env:6: github_token"), "{text}");
    assert!(!text.contains("customers.csv"), "{text}");
}

#[test]
fn values_never_reach_the_output() {
    let planted = std::fs::read_to_string(corpus().join("planted/billing.env")).unwrap();
    let token = planted
        .lines()
        .find_map(|l| l.strip_prefix("GITHUB_TOKEN="))
        .unwrap();
    for args in [
        &["--pii", "planted"][..],
        &["--pii", "--json", "planted"][..],
    ] {
        let out = scan_corpus(args);
        let all = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(token), "value printed by forge scan {args:?}");
        assert!(!all.contains("jane.doe@acme-mail.de"));
    }
}

#[test]
fn json_lists_findings_files_and_bytes() {
    let out = scan_corpus(&["--pii", "--json", "planted/customers.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"], 1);
    assert!(v["bytes"].as_u64().unwrap() > 100);
    let first = &v["findings"][0];
    assert_eq!(first["file"], "planted/customers.csv");
    assert_eq!(first["line"], 2);
    assert_eq!(first["kind"], "email");
    assert_eq!(first["category"], "pii");
    assert_eq!(v["findings"].as_array().unwrap().len(), 12);
}

#[test]
fn a_missing_path_is_bad_input() {
    let out = scan_corpus(&["no/such/file"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot scan no/such/file"), "{err}");
}

const TOKEN: &str = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVb"; // forge:allow

#[test]
fn the_default_is_the_files_git_would_track() {
    let p = Project::new();
    std::fs::create_dir(p.join(".git")).unwrap();
    p.file(".gitignore", "secrets/\n*.log\n");
    p.file("src/app.py", &format!("TOKEN = '{TOKEN}'\n"));
    p.file("secrets/prod.env", &format!("GITHUB_TOKEN={TOKEN}\n"));
    p.file("debug.log", &format!("{TOKEN}\n"));
    p.file(".github/workflows/ci.yml", &format!("token: {TOKEN}\n"));
    p.file(".forge/runs/x/events.jsonl", &format!("{TOKEN}\n"));
    p.file("src/ok.py", &format!("TOKEN = '{TOKEN}'  # forge:allow\n"));
    let out = p.forge(&["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        ".github/workflows/ci.yml:1: github_token\nsrc/app.py:1: github_token\n"
    );
    // A file named on the command line is scanned even if git ignores it (pre-commit style).
    let out = p.forge(&["scan", "debug.log"]).output().unwrap();
    assert_eq!(stdout(&out), "debug.log:1: github_token\n");
    p.file("src/app.py", "TOKEN = os.environ['TOKEN']\n");
    p.file(".github/workflows/ci.yml", "token: ${{ secrets.TOKEN }}\n");
    let out = p.forge(&["scan"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn binary_files_are_skipped() {
    let p = Project::new();
    let mut bytes = vec![0u8, 1, 2, 3];
    bytes.extend_from_slice(TOKEN.as_bytes());
    std::fs::write(p.join("blob.bin"), bytes).unwrap();
    let out = p.forge(&["scan", "--json", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"], 0);
}

#[test]
fn works_as_a_security_validator() {
    let p = Project::new();
    std::fs::create_dir(p.join(".git")).unwrap();
    let forge = assert_cmd::cargo::cargo_bin("forge");
    p.file(
        "contract.yaml",
        &format!(
            "version: 1\nname: demo\ntask: t\nfiles: [src/*.py]\nvalidators:\n  - name: secrets\n    kind: security\n    required: true\n    run: {} scan src\n",
            forge.display()
        ),
    );
    p.file("src/app.py", "import os\nTOKEN = os.environ['TOKEN']\n");
    let out = p.forge(&["check", "contract.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    p.file("src/app.py", &format!("import os\nTOKEN = '{TOKEN}'\n"));
    let out = p.forge(&["check", "contract.yaml"]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("secrets failed (exit 1):"), "{text}");
    assert!(text.contains("src/app.py:2: github_token"), "{text}");
    assert!(!text.contains(TOKEN));
}
