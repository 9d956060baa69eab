//! `forge doctor` through the binary: each newcomer's trap is named with what to do, and the
//! exit code is 1 exactly when something fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

/// A folder of stand-in tools that print a version, to control what doctor finds on PATH.
fn tools(p: &Project, names: &[&str]) -> String {
    let bin = p.config_home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in names {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\necho '{name} 9.9.9'\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin.display().to_string()
}

fn doctor(p: &Project, path: &str, env: &[(&str, &str)], json: bool) -> (i32, String) {
    let args: &[&str] = if json {
        &["--json", "doctor"]
    } else {
        &["doctor"]
    };
    let out = p
        .forge(args)
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_missing_key_fails_and_says_what_to_do() {
    let p = Project::new();
    let path = tools(&p, &["python3", "cargo", "node", "shellcheck"]);
    let (code, out) = doctor(&p, &path, &[], false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  provider"), "{out}");
    assert!(out.contains("OPENAI_API_KEY is not set"), "{out}");
    assert!(
        out.contains("fix: export OPENAI_API_KEY=...; or use a local model"),
        "{out}"
    );
    assert!(out.contains("--replay CASSETTE"), "{out}");
    assert!(out.contains("ok    python3     python3 9.9.9"), "{out}");

    let (code, out) = doctor(&p, &path, &[("OPENAI_API_KEY", "sk-doctor-secret")], false);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok    provider    openai gpt-4o-mini"),
        "{out}"
    );
    assert!(out.contains("key from OPENAI_API_KEY"), "{out}");
    assert!(!out.contains("sk-doctor-secret"), "{out}");
}

#[test]
fn missing_tools_are_warnings_naming_their_starter() {
    let p = Project::new();
    let path = tools(&p, &["cargo"]);
    let (code, out) = doctor(&p, &path, &[("OPENAI_API_KEY", "k")], false);
    assert_eq!(code, 0, "warnings alone pass: {out}");
    assert!(
        out.contains("warn  python3     not found on PATH (needed by the python starter)"),
        "{out}"
    );
    assert!(
        out.contains("warn  node        not found on PATH (needed by the node starter)"),
        "{out}"
    );
    assert!(out.contains("ok    cargo       cargo 9.9.9"), "{out}");
    assert!(out.contains("clock"), "{out}");
    assert!(out.contains("sandbox"), "{out}");
}

#[test]
fn an_unwritable_forge_folder_fails() {
    let p = Project::new();
    p.file(".forge", "a file where the folder should be");
    let path = tools(&p, &[]);
    let (code, out) = doctor(&p, &path, &[("OPENAI_API_KEY", "k")], true);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("doctor JSON");
    assert_eq!(v["ok"], false);
    let forge = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == ".forge")
        .expect(".forge check");
    assert_eq!(forge["status"], "fail");
    assert!(
        forge["detail"].as_str().unwrap().contains("not a folder"),
        "{forge}"
    );
    assert!(
        forge["fix"].as_str().unwrap().contains("writable"),
        "{forge}"
    );
}

#[test]
fn a_keyless_local_server_must_be_listening() {
    let p = Project::new();
    let path = tools(&p, &[]);
    let llm = FakeLlm::start(Provider::Ollama);
    let base = llm.base_url();
    let env = [
        ("FORGE_PROVIDER", "ollama"),
        ("FORGE_MODEL", "qwen2.5-coder"),
        ("FORGE_BASE_URL", base.as_str()),
    ];
    let (code, out) = doctor(&p, &path, &env, false);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok    provider    ollama qwen2.5-coder"),
        "{out}"
    );
    assert!(out.contains("is listening"), "{out}");
    assert!(llm.requests().is_empty(), "a TCP probe, no model call");

    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("http://127.0.0.1:{port}");
    let env = [
        ("FORGE_PROVIDER", "ollama"),
        ("FORGE_MODEL", "m"),
        ("FORGE_BASE_URL", closed.as_str()),
    ];
    let (code, out) = doctor(&p, &path, &env, false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("is not answering"), "{out}");
    assert!(out.contains("ollama serve"), "{out}");

    // Ollama without a model: the settings problem itself is reported.
    let (code, out) = doctor(&p, &path, &[("FORGE_PROVIDER", "ollama")], false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no model given for ollama"), "{out}");
}
