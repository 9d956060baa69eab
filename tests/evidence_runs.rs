//! SPEC §9 on real runs: `forge converge` against the loopback fake LLM signs its pack with
//! ed25519, seals it into the root's chain (also when two runs finish at once), and the run can
//! be rechecked and exported.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use predicates::prelude::*;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

/// A contract whose validator is a script in the root, so a test can change it after the run.
fn project(name: &str) -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file("check.sh", "grep -q done src/a.txt\n");
    p.file(&format!("contracts/{name}.yaml"), &contract(name));
    p
}

fn contract(name: &str) -> String {
    format!(
        "version: 1\nname: {name}\ntask: |\n  Make src/a.txt say done.\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: check\n    run: sh check.sh\nthreshold: 1.0\nevidence:\n  synthesis: template\n"
    )
}

fn converge(p: &Project, name: &str) -> String {
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(
            &llm,
            &[
                "--json",
                "converge",
                &format!("contracts/{name}.yaml"),
                "--no-apply",
            ],
        )
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let last = String::from_utf8(out)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let finished: serde_json::Value = serde_json::from_str(&last).unwrap();
    finished["run_id"].as_str().unwrap().to_string()
}

#[test]
fn a_run_is_signed_with_the_default_key_verifies_pinned_rechecks_and_exports() {
    let p = project("t");
    // `key generate` with no --out: converge picks the default file up by itself.
    p.forge(&["key", "generate"]).assert().code(0);
    let public = p.config_home.path().join("forge/forge-signing.pub");
    let public = public.display().to_string();
    let run = converge(&p, "t");
    let pack: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.join(&format!(".forge/runs/{run}/evidence.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(pack["schema"], "forge.evidence/v2");
    assert_eq!(pack["metadata"]["previous"], serde_json::Value::Null);
    let algs: Vec<&str> = pack["integrity"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["hmac-sha256", "ed25519"]);

    // An auditor without the HMAC key: the pinned public key is enough.
    let auditor = Project::new();
    let copy = auditor.file(
        "evidence.json",
        &String::from_utf8(
            std::fs::read(p.join(&format!(".forge/runs/{run}/evidence.json"))).unwrap(),
        )
        .unwrap(),
    );
    auditor
        .forge(&[
            "evidence",
            "verify",
            &copy.display().to_string(),
            "--public-key",
            &public,
        ])
        .assert()
        .code(0);
    p.forge(&[
        "evidence",
        "verify",
        &run,
        "--public-key",
        &public,
        "--artifacts",
        &format!(".forge/runs/{run}/artifacts"),
    ])
    .assert()
    .code(0);

    p.forge(&["evidence", "recheck", &run])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("same    check: now exit 0"));
    // The script the validator runs changed since: recheck names the validator.
    p.file("check.sh", "grep -q finished src/a.txt\n");
    p.forge(&["evidence", "recheck", &run])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "validators that differ from the pack: check",
        ));

    let out = p
        .forge(&["evidence", "export", &run, "--format", "in-toto"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let env: serde_json::Value = serde_json::from_slice(&out).unwrap();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(env["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["predicate"]["llm"]["source"], "live");
    assert_eq!(st["predicate"]["outcome"]["status"], "converged");
    assert_eq!(st["subject"][0]["name"], "src/a.txt");
    assert_eq!(st["predicate"]["validations"][0]["name"], "check");
    assert_eq!(
        st["predicate"]["pack"]["sha256"],
        pack["integrity"]["sha256"]
    );
}

#[test]
fn two_runs_finishing_at_once_form_one_chain() {
    let p = project("one");
    p.file("contracts/two.yaml", &contract("two"));
    let (_, public) = support::records::generate_key(&p, "keys");
    let llms: Vec<FakeLlm> = (0..2)
        .map(|_| {
            let llm = FakeLlm::start(Provider::Openai);
            llm.push_files(&[("src/a.txt", "done\n")]);
            llm
        })
        .collect();
    let children: Vec<_> = ["one", "two"]
        .iter()
        .zip(&llms)
        .map(|(name, llm)| {
            p.command_with_llm(
                llm,
                &[
                    "--quiet",
                    "converge",
                    &format!("contracts/{name}.yaml"),
                    "--no-apply",
                    "--signing-key",
                    "keys/forge-signing.key",
                ],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let out = p
        .forge(&[
            "--json",
            "evidence",
            "verify-chain",
            "--public-key",
            &public.display().to_string(),
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(r["length"], 2, "{r}");
    assert_eq!(r["intact"], true, "{r}");
    // One is first; the other names it with the content it has.
    let runs = std::fs::read_dir(p.join(".forge/runs")).unwrap();
    let mut previous = Vec::new();
    for d in runs {
        let pack: serde_json::Value = serde_json::from_slice(
            &std::fs::read(d.unwrap().path().join("evidence.json")).unwrap(),
        )
        .unwrap();
        previous.push(pack["metadata"]["previous"].clone());
    }
    assert_eq!(
        previous.iter().filter(|v| v.is_null()).count(),
        1,
        "{previous:?}"
    );
}
