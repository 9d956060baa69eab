//! `forge diff`, `forge apply` and `forge reject` (SPEC §12) through the real binary: a run kept
//! with `--no-apply` is reviewed as a unified diff (checked with `git apply`), approved or
//! rejected into a signed approval.json that `evidence verify` checks and `evidence show` shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::process::Output;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};
use support::records::generate_key;
use support::tools;

const CONTRACT: &str = "contracts/t.yaml";

fn project() -> Project {
    let p = Project::new();
    p.file("src/a.txt", "line 1\ntodo\nline 3\n");
    p.file(
        CONTRACT,
        "version: 1\nname: t\ntask: make it done\nfiles:\n  - src/*.txt\nroot: ..\nvalidators:\n  - name: done\n    run: grep -q done src/a.txt\nevidence:\n  synthesis: template\n",
    );
    p
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A converged run kept aside with --no-apply; its id.
fn kept_run(p: &Project, llm: &FakeLlm) -> String {
    kept_run_with(p, llm, &[])
}

/// [`kept_run`] with more environment variables.
fn kept_run_with(p: &Project, llm: &FakeLlm, env: &[(&str, &std::path::Path)]) -> String {
    llm.push_files(&[
        ("src/a.txt", "line 1\ndone\nline 3\n"),
        ("src/new.txt", "brand new\n"),
    ]);
    let out = p
        .forge_with_llm(llm, &["--json", "converge", CONTRACT, "--no-apply"])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", text(&out));
    let last = text(&out).0.lines().last().unwrap().to_string();
    let event: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(event["status"], "converged");
    event["run_id"].as_str().unwrap().to_string()
}

fn forge(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.forge(args).output().unwrap();
    let (o, e) = text(&out);
    (out.status.code().unwrap_or(-1), o, e)
}

fn approval(p: &Project, run: &str) -> Option<Value> {
    let path = p.join(&format!(".forge/runs/{run}/approval.json"));
    let bytes = std::fs::read(path).ok()?;
    Some(serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn diff_is_a_patch_git_applies_to_reach_the_run_s_files() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);
    let (code, diff, err) = forge(&p, &["diff", &run]);
    assert_eq!(code, 0, "{err}");
    assert!(
        diff.contains("--- a/src/a.txt\n+++ b/src/a.txt\n"),
        "{diff}"
    );
    assert!(diff.contains("-todo\n+done\n"), "{diff}");
    assert!(
        diff.contains("--- /dev/null\n+++ b/src/new.txt\n"),
        "{diff}"
    );
    assert_eq!(
        p.read("src/a.txt"),
        "line 1\ntodo\nline 3\n",
        "diff writes nothing"
    );

    // git, which forge did not write, applies the patch and reaches the run's files.
    std::fs::write(p.join("run.patch"), &diff).unwrap();
    let git = std::process::Command::new("git")
        .args(["apply", "run.patch"])
        .current_dir(p.path())
        .output()
        .unwrap();
    assert!(
        git.status.success(),
        "{}",
        String::from_utf8_lossy(&git.stderr)
    );
    assert_eq!(p.read("src/a.txt"), "line 1\ndone\nline 3\n");
    assert_eq!(p.read("src/new.txt"), "brand new\n");
    let (code, diff, _) = forge(&p, &["diff", &run]);
    assert_eq!((code, diff.as_str()), (0, ""), "nothing left to change");
}

#[test]
fn apply_writes_back_and_signs_an_approval_that_verify_checks() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);

    // Off a terminal forge cannot ask, so it needs --yes.
    let (code, _, err) = forge(&p, &["apply", &run, "--approver", "rev@example.com"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(p.read("src/a.txt"), "line 1\ntodo\nline 3\n");
    assert!(approval(&p, &run).is_none());

    let (code, out, err) = forge(
        &p,
        &["apply", &run, "--yes", "--approver", "rev@example.com"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote 2 files"), "{out}");
    assert_eq!(p.read("src/a.txt"), "line 1\ndone\nline 3\n");
    assert_eq!(p.read("src/new.txt"), "brand new\n");

    let a = approval(&p, &run).expect("approval.json");
    let pack: Value = serde_json::from_slice(
        &std::fs::read(p.join(&format!(".forge/runs/{run}/evidence.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(a["run_id"], run.as_str());
    assert_eq!(a["decision"], "approved");
    assert_eq!(a["approver"], "rev@example.com");
    assert_eq!(a["reason"], Value::Null);
    assert_eq!(a["pack_sha256"], pack["integrity"]["sha256"]);
    assert_eq!(a["schema"], "forge.approval/v2");
    assert_eq!(a["integrity"]["signatures"][0]["algorithm"], "hmac-sha256");
    assert!(a["at"].as_str().unwrap().ends_with('Z'));

    let pack_path = format!(".forge/runs/{run}/evidence.json");
    let (code, out, err) = forge(&p, &["--json", "evidence", "verify", &pack_path]);
    assert_eq!(code, 0, "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"approval signature"), "{names:?}");

    let (code, md, _) = forge(&p, &["evidence", "show", &run]);
    assert_eq!(code, 0);
    assert!(md.contains("## Approval"), "{md}");
    assert!(md.contains("rev@example.com"), "{md}");

    // A second decision is refused.
    let (code, _, err) = forge(&p, &["reject", &run, "--approver", "x@example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("already approved by rev@example.com"), "{err}");

    // Altering the approval breaks verification.
    let path = p.join(&format!(".forge/runs/{run}/approval.json"));
    let altered = std::fs::read_to_string(&path)
        .unwrap()
        .replace("rev@example.com", "boss@example.com");
    std::fs::write(&path, altered).unwrap();
    let (code, _, err) = forge(&p, &["evidence", "verify", &pack_path]);
    assert_eq!(code, 1);
    assert!(err.contains("approval signature"), "{err}");
}

/// With a signing key (FORGE_SIGNING_KEY here, `--signing-key` for apply), approval.json
/// carries the pack's two signatures; Python's `cryptography` and `rfc8785` verify the ed25519
/// one over the JCS bytes, and `evidence verify` trusts it only when the key is pinned.
#[test]
fn with_a_signing_key_the_approval_is_signed_with_ed25519_like_the_pack() {
    let p = project();
    let (private, public) = generate_key(&p, "keys");
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run_with(&p, &llm, &[("FORGE_SIGNING_KEY", &private)]);
    let private = private.display().to_string();
    let (code, _, err) = forge(
        &p,
        &[
            "apply",
            &run,
            "--yes",
            "--approver",
            "rev@example.com",
            "--signing-key",
            &private,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let a = approval(&p, &run).unwrap();
    let algorithms: Vec<&str> = a["integrity"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algorithms, ["hmac-sha256", "ed25519"]);

    let dir = p.join(&format!(".forge/runs/{run}"));
    let approval_path = dir.join("approval.json").display().to_string();
    let pack_path = dir.join("evidence.json").display().to_string();
    let public = public.display().to_string();
    if tools::python_crypto() {
        let said = tools::verify_pack_py(&["--approval", &approval_path, &pack_path, &public], 0);
        assert!(said.contains("verify_pack.py: ok: approval"), "{said}");
    }

    // Without the HMAC evidence key, only the pinned public key vouches for pack and approval.
    std::fs::remove_file(p.config_home.path().join("forge/evidence.key")).unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec!["--json", "evidence", "verify", &pack_path];
        args.extend_from_slice(extra);
        let (code, out, _) = forge(&p, &args);
        let report: Value = serde_json::from_str(&out).unwrap();
        let approval = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "approval signature")
            .cloned()
            .unwrap();
        (code, approval["detail"].as_str().unwrap().to_string())
    };
    let (code, detail) = verify(&["--public-key", &public]);
    assert_eq!(code, 0, "{detail}");
    assert!(detail.contains("pinned by --public-key"), "{detail}");
    let (code, detail) = verify(&[]);
    assert_eq!(code, 1, "{detail}");
    assert!(detail.contains("unpinned"), "{detail}");
    let (stranger, _) = generate_key(&p, "other");
    let stranger_pub = stranger.with_extension("pub").display().to_string();
    let (code, detail) = verify(&["--public-key", &stranger_pub]);
    assert_eq!(code, 1, "{detail}");

    // An altered approval: forge and Python both refuse it.
    let altered = std::fs::read_to_string(&approval_path)
        .unwrap()
        .replace("rev@example.com", "boss@example.com");
    std::fs::write(&approval_path, altered).unwrap();
    let (code, detail) = verify(&["--public-key", &public]);
    assert_eq!(code, 1, "{detail}");
    assert!(detail.contains("altered"), "{detail}");
    if tools::python_crypto() {
        let said = tools::verify_pack_py(&["--approval", &approval_path, &pack_path, &public], 1);
        assert!(said.contains("sha256 of the JCS bytes"), "{said}");
    }
}

#[test]
fn apply_refuses_a_file_changed_since_the_run_started() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);
    p.file("src/a.txt", "someone else's edit\n");
    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("src/a.txt changed in the root"), "{err}");
    assert_eq!(p.read("src/a.txt"), "someone else's edit\n");
    assert!(
        !p.join("src/new.txt").exists(),
        "nothing at all was written"
    );
    assert!(
        approval(&p, &run).is_none(),
        "no approval without a write-back"
    );

    // A file created since the run started also counts.
    p.file("src/a.txt", "line 1\ntodo\nline 3\n");
    p.file("src/new.txt", "mine\n");
    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("src/new.txt"), "{err}");
}

#[test]
fn reject_records_who_and_why_and_blocks_apply() {
    let p = project();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(p.path())
            .env("HOME", p.config_home.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);

    // No git identity and no --approver: nobody to name.
    let (code, _, err) = forge(&p, &["reject", &run]);
    assert_eq!(code, 2);
    assert!(err.contains("--approver"), "{err}");

    git(&["init", "-q"]);
    git(&["config", "user.email", "lead@example.com"]);
    let (code, out, err) = forge(&p, &["--json", "reject", &run, "--reason", "too clever"]);
    assert_eq!(code, 0, "{err}");
    // --json prints what the server's approval route answers: the record and the files written.
    let printed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(printed["written"], serde_json::json!([]), "{out}");
    let a = approval(&p, &run).unwrap();
    assert_eq!(printed["approval"], a);
    assert_eq!(a["decision"], "rejected");
    assert_eq!(a["approver"], "lead@example.com");
    assert_eq!(a["reason"], "too clever");

    let (code, _, err) = forge(&p, &["apply", &run, "--yes"]);
    assert_eq!(code, 2);
    assert!(err.contains("already rejected"), "{err}");
    assert_eq!(p.read("src/a.txt"), "line 1\ntodo\nline 3\n");
}

#[test]
fn unknown_runs_and_unconverged_runs_are_refused() {
    let p = project();
    let (code, _, err) = forge(&p, &["diff", "01HZZZZZZZZZZZZZZZZZZZZZZZ"]);
    assert_eq!(code, 2);
    assert!(err.contains("no finished run"), "{err}");
    let (code, _, _) = forge(&p, &["apply", "../../etc", "--yes"]);
    assert_eq!(code, 2);

    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "still todo\n")]);
    let out = p
        .forge_with_llm(
            &llm,
            &["--json", "converge", CONTRACT, "--max-iterations", "1"],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let last = text(&out).0.lines().last().unwrap().to_string();
    let run = serde_json::from_str::<Value>(&last).unwrap()["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (code, diff, _) = forge(&p, &["diff", &run]);
    assert_eq!(code, 0, "the best attempt can be reviewed");
    assert!(diff.contains("+still todo"), "{diff}");
    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 2);
    assert!(err.contains("did not converge"), "{err}");
}

#[test]
fn a_tampered_artifact_is_never_applied() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);
    p.file(
        &format!(".forge/runs/{run}/artifacts/src/a.txt"),
        "rm -rf /\n",
    );
    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 2);
    assert!(err.contains("does not verify"), "{err}");
    assert_eq!(p.read("src/a.txt"), "line 1\ntodo\nline 3\n");
}

/// The project with `approval: required` added to its contract.
fn gated_project() -> Project {
    let p = project();
    let text = p.read(CONTRACT);
    p.file(CONTRACT, &format!("{text}approval: required\n"));
    p
}

fn push_answer(llm: &FakeLlm) {
    llm.push_files(&[
        ("src/a.txt", "line 1\ndone\nline 3\n"),
        ("src/new.txt", "brand new\n"),
    ]);
}

#[test]
fn approval_required_keeps_a_converged_run_until_it_is_applied() {
    let p = gated_project();
    let llm = FakeLlm::start(Provider::Openai);
    push_answer(&llm);
    let out = p
        .forge_with_llm(&llm, &["--json", "converge", CONTRACT])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["status"], "converged");
    let run = last["run_id"].as_str().unwrap().to_string();
    assert!(
        stderr.contains(&format!("awaiting approval: forge apply {run}")),
        "{stderr}"
    );
    assert_eq!(
        p.read("src/a.txt"),
        "line 1\ntodo\nline 3\n",
        "nothing written"
    );
    assert!(!p.join("src/new.txt").exists());
    let (_, list, _) = forge(&p, &["--json", "runs", "list"]);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list[0]["status"], "converged");

    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(p.read("src/a.txt"), "line 1\ndone\nline 3\n");
    assert_eq!(p.read("src/new.txt"), "brand new\n");
}

#[test]
fn confirm_flag_gates_a_contract_without_approval() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    push_answer(&llm);
    let out = p
        .forge_with_llm(&llm, &["converge", CONTRACT, "--confirm"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("awaiting approval: forge apply "),
        "{stderr}"
    );
    assert_eq!(p.read("src/a.txt"), "line 1\ntodo\nline 3\n");

    // Without the gate the same run writes back at once.
    push_answer(&llm);
    let out = p
        .forge_with_llm(&llm, &["--quiet", "converge", CONTRACT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(p.read("src/a.txt"), "line 1\ndone\nline 3\n");
}

/// On a terminal (a real pseudo-terminal from util-linux `script`), forge shows the diff and
/// asks; answering `y` writes back and records the approval.
#[test]
fn on_a_terminal_converge_shows_the_diff_and_asks() {
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "util-linux `script` is required in CI"
        );
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let p = gated_project();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(p.path())
            .env("HOME", p.config_home.path())
            .output()
            .unwrap()
    };
    git(&["init", "-q"]);
    git(&["config", "user.email", "tty@example.com"]);
    let llm = FakeLlm::start(Provider::Openai);
    push_answer(&llm);
    let forge_bin = assert_cmd::cargo::cargo_bin("forge");
    // Writes the fast-retry config into the private config home, as every fake-LLM run has.
    drop(p.command_with_llm(&llm, &[]));
    let mut cmd = std::process::Command::new("script");
    cmd.current_dir(p.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", p.config_home.path())
        .env("XDG_CONFIG_HOME", p.config_home.path())
        .env("TERM", "xterm")
        .envs(llm.env_vars())
        .args([
            "-qefc",
            &format!("{} --no-progress converge {CONTRACT}", forge_bin.display()),
            "/dev/null",
        ]);
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"y").unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("+done"), "the diff was shown: {stdout}");
    assert!(stdout.contains("Write 2 files of run"), "{stdout}");
    assert_eq!(p.read("src/a.txt"), "line 1\ndone\nline 3\n");
    let run = std::fs::read_dir(p.join(".forge/runs"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let a = approval(&p, &run).unwrap();
    assert_eq!(a["approver"], "tty@example.com");
    assert_eq!(a["decision"], "approved");
}

#[test]
fn an_altered_record_of_the_run_s_start_is_never_trusted() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    let run = kept_run(&p, &llm);
    let events = p.join(&format!(".forge/runs/{run}/events.jsonl"));
    let text = std::fs::read_to_string(&events).unwrap();
    assert!(text.contains("\"base\""), "artifacts_kept records the base");
    // Pretend the root held something else at the start, to slip a conflict past apply.
    std::fs::write(&events, text.replacen("\"sha256\":\"", "\"sha256\":\"0", 1)).unwrap();
    let (code, _, err) = forge(&p, &["apply", &run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("events_sha256"), "{err}");
    assert_eq!(p.read("src/a.txt"), "line 1\ntodo\nline 3\n");
}

#[test]
fn a_run_already_written_back_is_not_applied_again() {
    let p = project();
    let llm = FakeLlm::start(Provider::Openai);
    push_answer(&llm);
    let out = p
        .forge_with_llm(&llm, &["--json", "converge", CONTRACT])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let last: Value = serde_json::from_str(text(&out).0.lines().last().unwrap()).unwrap();
    let run = last["run_id"].as_str().unwrap();
    let (code, _, err) = forge(&p, &["apply", run, "--yes", "--approver", "r@x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("already holds"), "{err}");
    assert!(approval(&p, run).is_none());
}
