//! `forge config show` (SPEC §12): every effective setting with where it came from, following
//! the precedence flag > env > contract > config file > default, and never a key's value.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use support::Project;

const SECRET: &str = "sk-very-secret-0123456789";
const EVIDENCE_SECRET: &str = "00112233445566778899aabbccddeeff";

fn project() -> Project {
    let p = Project::new();
    let dir = p.config_home.path().join("forge");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[llm]\nmodel = \"cfg-model\"\ntemperature = 0.5\nmax_attempts = 2\n",
    )
    .unwrap();
    p.file(
        "contracts/t.yaml",
        "version: 1\nname: t\ntask: x\nfiles: [a.txt]\nroot: ..\nthreshold: 0.9\nvalidators:\n  - name: v\n    run: 'true'\nllm:\n  model: contract-model\n  base_url: http://contract.example/v1\n",
    );
    p
}

fn show(p: &Project, env: &[(&str, &str)], args: &[&str]) -> (Value, String) {
    let mut all = vec!["--json", "config", "show"];
    all.extend_from_slice(args);
    let out = p.forge(&all).envs(env.iter().copied()).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

fn setting(v: &Value, key: &str) -> (String, String) {
    let s = &v["settings"][key];
    (
        s["value"].as_str().unwrap_or_default().to_string(),
        s["source"].as_str().unwrap_or_default().to_string(),
    )
}

/// Environment, arguments after `config show`, the model expected, and its source.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str, &'a str);

#[test]
fn each_layer_overrides_the_one_below() {
    let p = project();
    let contract = ["contracts/t.yaml"];
    let cases: [Case; 4] = [
        (&[], &[], "cfg-model", "config file"),
        (&[], &contract, "contract-model", "contract"),
        (
            &[("FORGE_MODEL", "env-model")],
            &contract,
            "env-model",
            "env FORGE_MODEL",
        ),
        (
            &[("FORGE_MODEL", "env-model")],
            &["contracts/t.yaml", "--model", "flag-model"],
            "flag-model",
            "flag --model",
        ),
    ];
    for (env, args, model, source) in cases {
        let (v, _) = show(&p, env, args);
        assert_eq!(
            setting(&v, "model"),
            (model.to_string(), source.to_string()),
            "{env:?} {args:?}"
        );
    }

    let (v, _) = show(&p, &[], &["contracts/t.yaml", "--threshold", "0.7"]);
    assert_eq!(
        setting(&v, "threshold"),
        ("0.7".into(), "flag --threshold".into())
    );
    let (v, _) = show(&p, &[], &["contracts/t.yaml"]);
    assert_eq!(setting(&v, "threshold"), ("0.9".into(), "contract".into()));
    assert_eq!(
        setting(&v, "base_url"),
        ("http://contract.example/v1".into(), "contract".into())
    );
    assert_eq!(
        setting(&v, "temperature"),
        ("0.5".into(), "config file".into())
    );
    assert_eq!(
        setting(&v, "max_attempts"),
        ("2".into(), "config file".into())
    );
    assert_eq!(
        setting(&v, "max_iterations"),
        ("15".into(), "default".into())
    );
    assert_eq!(setting(&v, "provider"), ("openai".into(), "default".into()));
    assert_eq!(setting(&v, "stream"), ("true".into(), "default".into()));
    assert_eq!(setting(&v, "approval"), ("none".into(), "default".into()));
}

#[test]
fn keys_are_named_never_shown() {
    let p = project();
    let env = [
        ("OPENAI_API_KEY", SECRET),
        ("FORGE_EVIDENCE_KEY", EVIDENCE_SECRET),
    ];
    let (v, json) = show(&p, &env, &[]);
    assert_eq!(
        setting(&v, "api_key"),
        (
            "set (from OPENAI_API_KEY)".into(),
            "env OPENAI_API_KEY".into()
        )
    );
    assert_eq!(
        setting(&v, "evidence_key").0,
        "set (from FORGE_EVIDENCE_KEY)"
    );
    let out = p.forge(&["config", "show"]).envs(env).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for shown in [&json, &text] {
        assert!(!shown.contains(SECRET) && !shown.contains(EVIDENCE_SECRET));
    }
    assert!(text.starts_with("KEY"), "{text}");
    assert!(text.contains("set (from OPENAI_API_KEY)"), "{text}");
    assert!(text.contains("config file: "), "{text}");

    let (v, _) = show(&p, &[], &["--provider", "ollama"]);
    assert_eq!(setting(&v, "api_key").0, "not needed");
    assert_eq!(
        setting(&v, "base_url"),
        ("http://localhost:11434".into(), "default".into())
    );
    let (v, _) = show(&p, &[], &[]);
    assert_eq!(setting(&v, "api_key").0, "not set (OPENAI_API_KEY)");
}

#[test]
fn bad_settings_are_reported_like_converge_reports_them() {
    let p = project();
    let out = p
        .forge(&["config", "show", "--provider", "skynet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown provider `skynet` in --provider"),
        "{err}"
    );
}
