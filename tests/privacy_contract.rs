//! The contract's `privacy:` section and a validator's `env:` list through the real binary:
//! located lint errors, the schema, and what a validator's environment holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

const DEPLOY_URL: &str = "https://deploy:Zq8vLx2mTp4wR7kN@deploy.acme.io/"; // forge:allow

const BASE: &str =
    "version: 1\nname: demo\ntask: t\nfiles: [a.py]\nvalidators:\n  - name: v\n    run: 'true'\n";

fn lint(yaml: &str) -> (i32, String) {
    let p = Project::new();
    p.file("c.yaml", yaml);
    let out = p.forge(&["contract", "lint", "c.yaml"]).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn privacy_problems_are_located() {
    let cases = [
        (
            format!("{BASE}privacy:\n  secrets: hide\n"),
            "c.yaml:9:12: unknown value `hide`",
        ),
        (
            format!("{BASE}privacy:\n  pi: mask\n"),
            "c.yaml:9:3: unknown key `pi`",
        ),
        (
            format!("{BASE}privacy:\n  allow: ['ok', '/(unclosed/']\n"),
            "c.yaml:9:17: invalid regex in `allow`: unclosed group",
        ),
        (
            format!("{BASE}privacy:\n  allow: ['']\n"),
            "c.yaml:9:11: empty `allow` entry",
        ),
        (
            format!("{BASE}    env: [NPM_TOKEN, 9LIVES]\n"),
            "c.yaml:8:22: `9LIVES` is not an environment variable name",
        ),
    ];
    for (yaml, message) in cases {
        let (code, err) = lint(&yaml);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(message), "expected {message:?} in:\n{err}");
    }
}

#[test]
fn a_full_privacy_section_lints_clean() {
    let yaml = format!(
        "{BASE}    env: [NPM_TOKEN]\nprivacy:\n  secrets: block\n  pii: mask\n  allow: [ops@acme.io, '/^sk_test_/']\n"
    );
    let (code, err) = lint(&yaml);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_schema_documents_privacy_and_env() {
    let p = Project::new();
    let out = p.forge(&["contract", "schema"]).output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let privacy = &schema["properties"]["privacy"];
    assert!(!privacy.is_null(), "{schema}");
    let text = schema.to_string();
    for word in ["\"off\"", "\"detect\"", "\"mask\"", "\"block\"", "allow"] {
        assert!(text.contains(word), "{word} missing from the schema");
    }
    assert!(
        text.contains("passed to this validator"),
        "env not documented"
    );
}

/// A validator gets what SPEC §10 keeps, loses what it drops, and gets what it lists in `env:`.
#[test]
fn the_validator_environment_is_scrubbed_and_env_passes_through() {
    let p = Project::new();
    let v = concat!(
        "  - name: dropped\n",
        "    run: test -z \"$GITHUB_PAT$SLACK_WEBHOOK_URL$NPM_AUTH$SESSION_COOKIE$AUTHORIZATION$DEPLOY_URL\"\n",
        "  - name: kept\n",
        "    run: test \"$PLAIN_SETTING\" = kept -a -n \"$PATH\"\n",
        "  - name: listed\n",
        "    run: test \"$NPM_AUTH\" = npm-secret-value -a -z \"$GITHUB_PAT\"\n",
        "    env: [NPM_AUTH]\n",
    );
    p.file(
        "c.yaml",
        &format!("version: 1\nname: demo\ntask: t\nfiles: [a.py]\nthreshold: 1\nvalidators:\n{v}"),
    );
    let out = p
        .forge(&["check", "--json", "c.yaml"])
        .env("GITHUB_PAT", "x")
        .env("SLACK_WEBHOOK_URL", "https://hooks.example.invalid/x")
        .env("NPM_AUTH", "npm-secret-value")
        .env("SESSION_COOKIE", "x")
        .env("AUTHORIZATION", "Bearer x")
        // An innocent name with a secret value: dropped for its value.
        .env("DEPLOY_URL", DEPLOY_URL)
        .env("PLAIN_SETTING", "kept")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for v in doc["validators"].as_array().unwrap() {
        assert_eq!(v["exit_code"], 0, "{} failed", v["name"]);
    }
    assert_eq!(out.status.code(), Some(0));
}
