//! `forge converge` end to end: the real binary against the loopback fake LLM, with small shell
//! projects, checked through exit codes, output, files, history rows and evidence packs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::Project;
use support::fake_llm::{FakeLlm, Fault, Provider, Reply};

const CONTRACT: &str = "contracts/t.yaml";

/// A validator that passes once src/a.txt says "done".
const DONE_VALIDATOR: &str = "  - name: done\n    run: grep -q done src/a.txt\n";

/// Three validators of weight 1 each: partial credit by which words src/a.txt holds.
const WORD_VALIDATORS: &str = "  - name: alpha\n    run: grep -q alpha src/a.txt\n  - name: beta\n    run: grep -q beta src/a.txt\n  - name: gamma\n    run: grep -q gamma src/a.txt\n";

/// Write contracts/t.yaml for a project whose only editable file is src/a.txt.
fn contract(p: &Project, validators: &str, rest: &str) {
    let rest = if rest.contains("evidence:") {
        rest.to_string()
    } else {
        format!("{rest}evidence:\n  synthesis: template\n")
    };
    p.file(
        CONTRACT,
        &format!(
            "version: 1\nname: t\ntask: |\n  Make src/a.txt say done.\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n{validators}{rest}"
        ),
    );
}

/// A project with src/a.txt saying "todo" and the given contract.
fn project(validators: &str, rest: &str) -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    contract(&p, validators, rest);
    p
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn converge(p: &Project, llm: &FakeLlm, extra: &[&str]) -> Ran {
    let mut args = vec!["converge", CONTRACT];
    args.extend_from_slice(extra);
    run_forge(p, llm, &args)
}

/// `forge ARGS` against the fake; global flags go before `converge`.
fn run_forge(p: &Project, llm: &FakeLlm, args: &[&str]) -> Ran {
    ran(p.forge_with_llm(llm, args).output().expect("run forge"))
}

fn ran(out: std::process::Output) -> Ran {
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json_of(p: &Project, args: &[&str]) -> Value {
    let out = p.forge(args).output().expect("run forge");
    assert!(
        out.status.success(),
        "forge {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

/// The newest run in the history, as `forge runs list --json` shows it.
fn last_run(p: &Project) -> Value {
    let runs = json_of(p, &["--json", "runs", "list"]);
    let runs = runs.as_array().expect("array of runs");
    assert_eq!(runs.len(), 1, "one run recorded: {runs:?}");
    runs[0].clone()
}

fn show(p: &Project, run_id: &str) -> Value {
    json_of(p, &["--json", "runs", "show", run_id])
}

/// The pack's path from a history row, checked to exist and verify, and the pack itself.
fn verified_pack(p: &Project, run: &Value) -> (PathBuf, Value) {
    let path = PathBuf::from(run["evidence"].as_str().expect("evidence path in history"));
    assert!(path.is_file(), "pack at {}", path.display());
    let v = json_of(
        p,
        &[
            "--json",
            "evidence",
            "verify",
            path.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(v["valid"], true, "{v}");
    let pack = serde_json::from_str(&std::fs::read_to_string(&path).expect("read pack"))
        .expect("pack is JSON");
    (path, pack)
}

fn run_id(run: &Value) -> &str {
    run["run_id"].as_str().expect("run_id")
}

fn artifact(p: &Project, run_id: &str, rel: &str) -> String {
    let path = p.join(&format!(".forge/runs/{run_id}/artifacts/{rel}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("artifact {}: {e}", path.display()))
}

fn lines_json(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn events(lines: &[Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l["event"].as_str().expect("event name"))
        .collect()
}

/// A folder outside the project for marker files validators write.
fn markers() -> tempfile::TempDir {
    tempfile::tempdir().expect("marker dir")
}

fn process_exists(pid: i32) -> bool {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
}

fn read_pid(path: &Path) -> i32 {
    std::fs::read_to_string(path)
        .expect("pid file")
        .trim()
        .parse()
        .expect("pid")
}

// --- 1. converging ------------------------------------------------------------------------

#[test]
fn converges_in_two_iterations_and_writes_back_atomically_keeping_the_mode() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    std::fs::set_permissions(p.join("src/a.txt"), std::fs::Permissions::from_mode(0o750))
        .expect("chmod");
    // A second name for the old file: an atomic replace leaves it alone, an in-place write not.
    std::fs::hard_link(p.join("src/a.txt"), p.join("old-a.txt")).expect("hard link");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "not yet\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 2);
    assert_eq!(p.read("src/a.txt"), "done\n");
    assert_eq!(
        p.read("old-a.txt"),
        "todo\n",
        "replaced by rename, not rewritten"
    );
    let mode = std::fs::metadata(p.join("src/a.txt"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o750);
    assert!(r.stderr.contains("wrote back: src/a.txt"), "{}", r.stderr);
    let run = last_run(&p);
    assert_eq!(run["status"], "converged");
    assert_eq!(run["iterations"], 2);
    assert_eq!(run["score"], 1.0);
    assert_eq!(run["degraded"], false);
    let detail = show(&p, run_id(&run));
    let scores: Vec<f64> = detail["iterations"]
        .as_array()
        .expect("iterations")
        .iter()
        .map(|i| i["score"].as_f64().expect("score"))
        .collect();
    assert_eq!(scores, vec![0.0, 1.0]);
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "converged");
    assert_eq!(pack["raw_evidence"]["artifacts"][0]["path"], "src/a.txt");
    assert_eq!(pack["synthesis"]["generated_by"], "template");
}

#[test]
fn no_apply_leaves_the_root_and_keeps_the_converged_files_as_artifacts() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &["--no-apply"]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(!r.stderr.contains("wrote back"), "{}", r.stderr);
    let run = last_run(&p);
    assert_eq!(run["status"], "converged");
    assert_eq!(artifact(&p, run_id(&run), "src/a.txt"), "done\n");
    verified_pack(&p, &run);
}

// --- 2. stops -----------------------------------------------------------------------------

#[test]
fn max_iterations_keeps_the_best_attempt_not_the_last() {
    let p = project(
        WORD_VALIDATORS,
        "threshold: 1.0\nlimits:\n  max_iterations: 3\n  stagnation: 5\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "alpha\n")]);
    llm.push_files(&[("src/a.txt", "alpha beta\n")]);
    llm.push_files(&[("src/a.txt", "gamma\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("max_iterations"), "{}", r.stderr);
    assert_eq!(llm.requests().len(), 3);
    assert_eq!(p.read("src/a.txt"), "todo\n", "root untouched");
    let run = last_run(&p);
    assert_eq!(run["status"], "max_iterations");
    assert_eq!(run["iterations"], 3);
    let best = run["score"].as_f64().expect("score");
    assert!((best - 2.0 / 3.0).abs() < 1e-9, "best score {best}");
    assert_eq!(artifact(&p, run_id(&run), "src/a.txt"), "alpha beta\n");
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "max_iterations");
    assert_eq!(
        pack["raw_evidence"]["artifacts"][0]["size"],
        "alpha beta\n".len()
    );
}

#[test]
fn stagnation_stops_after_n_iterations_without_a_better_best() {
    let p = project(
        WORD_VALIDATORS,
        "threshold: 1.0\nlimits:\n  max_iterations: 10\n  stagnation: 2\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "alpha\n")]);
    llm.push_files(&[("src/a.txt", "beta\n")]);
    llm.push_files(&[("src/a.txt", "nothing\n")]);
    llm.push_files(&[("src/a.txt", "alpha beta gamma\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 3, "stopped before a fourth call");
    let run = last_run(&p);
    assert_eq!(run["status"], "stagnated");
    assert_eq!(run["iterations"], 3);
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert_eq!(artifact(&p, run_id(&run), "src/a.txt"), "alpha\n");
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "stagnated");
}

#[test]
fn token_budget_is_never_crossed_by_a_call() {
    let p = project(
        DONE_VALIDATOR,
        "threshold: 1.0\nlimits:\n  max_iterations: 10\n  stagnation: 10\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    for i in 0..6 {
        llm.push(
            Reply::text(format!("### FILE: src/a.txt\n```\nattempt {i}\n```\n")).usage(300, 100),
        );
    }
    let budget: u64 = 1000;

    let r = converge(&p, &llm, &["--json", "--token-budget", &budget.to_string()]);

    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = lines_json(&r.stdout);
    let calls = llm.requests().len() as u64;
    assert!((1..6).contains(&calls), "{calls} calls");
    assert!(
        calls * 400 <= budget,
        "{calls} calls of 400 tokens crossed the budget of {budget}"
    );
    // The call that was not made: its estimate on top of what was spent would have crossed.
    let notice = lines
        .iter()
        .filter_map(|l| l["message"].as_str())
        .find(|m| m.contains("token budget"))
        .unwrap_or_else(|| panic!("no budget notice in {}", r.stdout));
    let estimate: u64 = notice
        .split_once('~')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no estimate in {notice:?}"));
    assert!(calls * 400 + estimate > budget, "{notice}");
    let fin = lines.last().expect("last line");
    assert_eq!(fin["status"], "budget_exhausted");
    let run = last_run(&p);
    assert_eq!(run["status"], "budget_exhausted");
    assert_eq!(run["tokens"], calls * 400);
    assert_eq!(run["iterations"], calls);
    assert_eq!(p.read("src/a.txt"), "todo\n");
    verified_pack(&p, &run);
}

#[test]
fn run_timeout_stops_the_run_and_kills_the_validator() {
    let m = markers();
    let pid_file = m.path().join("pid");
    let validator = format!(
        "  - name: slow\n    run: echo $$ > {}; exec sleep 5\n    timeout: 30s\n",
        pid_file.display()
    );
    let p = project(&validator, "threshold: 1.0\nlimits:\n  run_timeout: 1s\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let started = Instant::now();
    let r = converge(&p, &llm, &[]);
    let took = started.elapsed();

    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        took < Duration::from_secs(5),
        "forge outlived the validator's sleep: {took:?}"
    );
    let pid = read_pid(&pid_file);
    assert!(!process_exists(pid), "validator {pid} still running");
    let run = last_run(&p);
    assert_eq!(run["status"], "timeout");
    assert!(r.stderr.contains("run_timeout"), "{}", r.stderr);
    assert_eq!(p.read("src/a.txt"), "todo\n");
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "timeout");
}

#[test]
fn unauthorized_provider_fails_at_once_naming_the_key_and_still_writes_evidence() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(401));
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 1, "401 is not retried");
    assert!(r.stderr.contains("OPENAI_API_KEY"), "{}", r.stderr);
    assert!(!r.stderr.contains(support::fake_llm::FAKE_KEY));
    let run = last_run(&p);
    assert_eq!(run["status"], "error");
    assert_eq!(p.read("src/a.txt"), "todo\n");
    let (path, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "error");
    let text = std::fs::read_to_string(path).expect("pack");
    assert!(!text.contains(support::fake_llm::FAKE_KEY));
}

#[test]
fn a_retried_server_error_still_converges_and_records_the_attempts() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(500));
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 2);
    assert!(r.stderr.contains("after 2 attempts"), "{}", r.stderr);
    assert_eq!(p.read("src/a.txt"), "done\n");
    let run = last_run(&p);
    assert_eq!(run["status"], "converged");
    let (_, pack) = verified_pack(&p, &run);
    let calls: Vec<&Value> = pack["raw_evidence"]["tool_invocations"]
        .as_array()
        .expect("tool_invocations")
        .iter()
        .filter(|t| t["type"] == "model_call")
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["attempts"], 2);
    assert_eq!(calls[0]["ok"], true);
}

// --- 3. --json ----------------------------------------------------------------------------

/// Every line a JSON event, in SPEC order, `run_finished` last with its fields.
fn check_json_stream(stdout: &str) -> Vec<Value> {
    let lines = lines_json(stdout);
    let names = events(&lines);
    assert_eq!(names.first(), Some(&"run_started"), "{names:?}");
    assert_eq!(names.last(), Some(&"run_finished"), "{names:?}");
    assert_eq!(names.iter().filter(|n| **n == "run_finished").count(), 1);
    let run_id = &lines[0]["run_id"];
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["seq"], i + 1, "seq counts from 1 without gaps: {l}");
        assert_eq!(&l["run_id"], run_id, "every event names its run: {l}");
    }
    // Within each iteration: started, the generate call, validators, finished (review calls
    // for skipped validators come among the validators).
    let order = |l: &Value| match l["event"].as_str()? {
        "iteration_started" => Some(0),
        "model_finished" if l["call"]["purpose"] == "generate" => Some(1),
        "validator_finished" => Some(2),
        "iteration_finished" => Some(3),
        _ => None,
    };
    let mut at = 3;
    for l in &lines {
        let n = l["event"].as_str().unwrap_or("?");
        if let Some(o) = order(l) {
            let ok = if o == 0 { at == 3 } else { o >= at && at != 3 };
            assert!(ok, "{n} out of order in {names:?}");
            at = o;
        }
    }
    let fin = lines.last().expect("last line");
    for key in [
        "run_id",
        "status",
        "degraded",
        "score",
        "iterations",
        "tokens",
        "evidence",
    ] {
        assert!(fin.get(key).is_some(), "run_finished lacks {key}: {fin}");
    }
    let evidence = fin["evidence"].as_str().expect("evidence path");
    assert!(Path::new(evidence).is_file(), "{evidence}");
    lines
}

#[test]
fn json_stream_of_a_converged_run() {
    let p = project(
        &format!("{DONE_VALIDATOR}  - name: always\n    run: \"true\"\n"),
        "threshold: 1.0\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "not yet\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &["--json"]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = check_json_stream(&r.stdout);
    let names = events(&lines);
    let core: Vec<&str> = names.iter().copied().filter(|n| *n != "notice").collect();
    assert_eq!(
        core,
        [
            "run_started",
            "iteration_started",
            "model_finished",
            "validator_finished",
            "validator_finished",
            "iteration_finished",
            "iteration_started",
            "model_finished",
            "validator_finished",
            "validator_finished",
            "iteration_finished",
            "artifacts_kept",
            "synthesis_written",
            "run_finished",
        ]
    );
    let v = lines
        .iter()
        .find(|l| l["event"] == "validator_finished" && l["name"] == "done")
        .expect("done validator");
    for key in ["exit_code", "timed_out", "duration_ms", "score"] {
        assert!(v.get(key).is_some(), "validator_finished lacks {key}: {v}");
    }
    assert!(v.get("skipped").is_none(), "{v}");
    let fin = lines.last().expect("last");
    let run = last_run(&p);
    assert_eq!(fin["run_id"], run["run_id"]);
    assert_eq!(fin["status"], "converged");
    assert_eq!(fin["degraded"], false);
    assert_eq!(fin["score"], 1.0);
    assert_eq!(fin["iterations"], 2);
    assert_eq!(fin["tokens"], run["tokens"]);
    assert_eq!(fin["evidence"], run["evidence"]);
}

#[test]
fn json_stream_of_a_failing_run() {
    let p = project(
        DONE_VALIDATOR,
        "threshold: 1.0\nlimits:\n  max_iterations: 2\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "no\n")]);
    llm.push_files(&[("src/a.txt", "still no\n")]);

    let r = converge(&p, &llm, &["--json"]);

    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines = check_json_stream(&r.stdout);
    let fin = lines.last().expect("last");
    assert_eq!(fin["status"], "max_iterations");
    assert_eq!(fin["iterations"], 2);
    assert_eq!(fin["score"], 0.0);
    assert_eq!(last_run(&p)["status"], "max_iterations");
}

#[test]
fn json_stream_of_a_provider_failure() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Fault::status(403));

    let r = converge(&p, &llm, &["--json"]);

    assert_eq!(r.code, 3, "{}", r.stderr);
    let lines = check_json_stream(&r.stdout);
    let fin = lines.last().expect("last");
    assert_eq!(fin["status"], "error");
    assert_eq!(fin["iterations"], 0);
    assert!(!r.stderr.is_empty(), "the failure is told on stderr");
    let run = last_run(&p);
    assert_eq!(run["status"], "error");
    verified_pack(&p, &run);
}

// --- 4. plain and quiet output ------------------------------------------------------------

#[test]
fn piped_output_is_plain_lines() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(
        Reply::text("### FILE: src/a.txt\n```\nnot yet\n```\n")
            .chunk_delay(Duration::from_millis(5)),
    );
    llm.push_files(&[("src/a.txt", "done\n")]);

    // Colour off only because stderr is not a terminal, not because of NO_COLOR.
    let r = ran(p
        .forge_with_llm(&llm, &["converge", CONTRACT])
        .env_remove("NO_COLOR")
        .output()
        .expect("run forge"));

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    assert!(r.stderr.contains("iteration 1"), "{}", r.stderr);
    assert!(r.stderr.contains("iteration 2"), "{}", r.stderr);
    assert!(!r.stderr.contains('\x1b'), "ANSI escape in {:?}", r.stderr);
    assert!(
        !r.stderr.contains('\r'),
        "carriage return in {:?}",
        r.stderr
    );
    let spinner = r
        .stderr
        .chars()
        .find(|c| ('\u{2800}'..='\u{28ff}').contains(c));
    assert_eq!(spinner, None, "spinner glyph in {}", r.stderr);
    assert!(r.stderr.contains("converged"), "{}", r.stderr);
}

#[test]
fn quiet_prints_nothing_for_a_converged_run() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = run_forge(&p, &llm, &["--quiet", "converge", CONTRACT]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "");
    assert_eq!(p.read("src/a.txt"), "done\n");
    assert_eq!(last_run(&p)["status"], "converged");
}

// --- 5. circuit breaker -------------------------------------------------------------------

/// `slow` (weight 1) always times out; `done` (weight 3) passes from iteration 4 on.
const BREAKER_VALIDATORS: &str = "  - name: slow\n    run: sleep 5\n    timeout: 200ms\n  - name: done\n    run: grep -q done src/a.txt\n    weight: 3\n";

fn breaker_script(llm: &FakeLlm) {
    for i in 1..=3 {
        llm.push_files(&[("src/a.txt", &format!("attempt {i}\n"))]);
    }
    llm.push_files(&[("src/a.txt", "done\n")]);
}

#[test]
fn an_open_breaker_skips_its_validator_and_degrades_the_run() {
    let p = project(
        BREAKER_VALIDATORS,
        "threshold: 0.75\nlimits:\n  max_iterations: 6\n  stagnation: 10\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    breaker_script(&llm);

    let r = converge(&p, &llm, &["--json"]);

    assert_eq!(r.code, 1, "converged but degraded: {}", r.stderr);
    let lines = check_json_stream(&r.stdout);
    let slow: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "validator_finished" && l["name"] == "slow")
        .collect();
    assert_eq!(slow.len(), 4, "{slow:?}");
    for s in &slow[..3] {
        assert_eq!(s["timed_out"], true, "{s}");
        assert!(s.get("skipped").is_none(), "{s}");
    }
    assert_eq!(slow[3]["skipped"], true, "{}", slow[3]);
    let fin = lines.last().expect("last");
    assert_eq!(fin["status"], "converged");
    assert_eq!(fin["degraded"], true);
    assert_eq!(fin["iterations"], 4);
    let run = last_run(&p);
    assert_eq!(run["status"], "converged");
    assert_eq!(run["degraded"], true);
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["degraded"], true);
    assert_eq!(llm.requests().len(), 4, "no review without llm_review");
    // Exit 1 must not leave the tree changed: a degraded run writes nothing back.
    assert_eq!(p.read("src/a.txt"), "todo\n");
    assert!(
        fin["reason"].as_str().unwrap_or("").contains("degraded"),
        "{fin}"
    );
    let kept = p.join(&format!(".forge/runs/{}/artifacts/src/a.txt", run_id(&run)));
    assert_eq!(
        std::fs::read_to_string(kept).expect("artifact kept"),
        "done\n"
    );

    let again = project(
        BREAKER_VALIDATORS,
        "threshold: 0.75\nlimits:\n  max_iterations: 6\n  stagnation: 10\n",
    );
    breaker_script(&llm);
    let r = converge(&again, &llm, &["--allow-degraded"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("degraded"), "{}", r.stderr);
    assert_eq!(
        again.read("src/a.txt"),
        "done\n",
        "--allow-degraded accepts and writes back"
    );

    // --quiet hides progress, not the reason a run exits 1 with nothing written back.
    let quiet = project(
        BREAKER_VALIDATORS,
        "threshold: 0.75\nlimits:\n  max_iterations: 6\n  stagnation: 10\n",
    );
    breaker_script(&llm);
    let r = run_forge(&quiet, &llm, &["--quiet", "converge", CONTRACT]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .contains("nothing was written back: the run is degraded"),
        "{}",
        r.stderr
    );
    assert_eq!(last_run(&again)["degraded"], true);
}

#[test]
fn with_llm_review_the_model_judges_the_skipped_criterion() {
    // Without the review, iteration 4 scores 3/4 = 0.75 < 0.85; the verdict 0.6 makes it 0.9.
    let p = project(
        BREAKER_VALIDATORS,
        "threshold: 0.85\nlimits:\n  max_iterations: 4\n  stagnation: 10\nfallback:\n  llm_review: true\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    breaker_script(&llm);
    llm.push_reply("{\"score\": 0.6, \"reason\": \"looks fast enough\"}");

    let r = converge(&p, &llm, &["--json", "--allow-degraded"]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 5);
    let review = reqs[4].last_user_message();
    assert!(
        review.contains("The validator `slow`") && review.contains("could not be run"),
        "{review}"
    );
    let lines = check_json_stream(&r.stdout);
    let fin = lines.last().expect("last");
    assert_eq!(fin["status"], "converged");
    assert_eq!(fin["degraded"], true);
    assert!(
        (fin["score"].as_f64().expect("score") - 0.9).abs() < 1e-9,
        "{fin}"
    );
    let run = last_run(&p);
    let detail = show(&p, run_id(&run));
    let fourth = &detail["iterations"][3];
    let judged = fourth["validators"]
        .as_array()
        .expect("validators")
        .iter()
        .find(|v| v["name"] == "slow")
        .expect("slow row");
    assert_eq!(judged["skipped"], true);
    assert_eq!(judged["score"], 0.6);
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["degraded"], true);
    assert!(
        pack["raw_evidence"]["tool_invocations"]
            .as_array()
            .expect("tool_invocations")
            .iter()
            .any(|t| t["purpose"] == "review"),
        "the review call is in the pack"
    );
}

// --- 6. apply conflict --------------------------------------------------------------------

#[test]
fn a_file_changed_in_the_root_during_the_run_is_not_overwritten() {
    let m = markers();
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    let root_file = p.join("src/a.txt");
    let once = m.path().join("once");
    let validator = format!(
        "  - name: done\n    run: if [ ! -e {once} ]; then touch {once}; echo user edit >> {root}; fi; grep -q done src/a.txt\n",
        once = once.display(),
        root = root_file.display()
    );
    contract(&p, &validator, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(once.exists(), "the validator ran");
    assert!(
        r.stderr.contains("nothing was written back")
            && r.stderr.contains("src/a.txt changed in the root"),
        "{}",
        r.stderr
    );
    assert_eq!(
        p.read("src/a.txt"),
        "todo\nuser edit\n",
        "the user's edit stays"
    );
    let run = last_run(&p);
    assert_eq!(run["status"], "converged");
    assert!(
        run["reason"]
            .as_str()
            .is_some_and(|r| r.contains("changed in the root")),
        "{run}"
    );
    assert_eq!(artifact(&p, run_id(&run), "src/a.txt"), "done\n");
    verified_pack(&p, &run);
}

// --- 7. Ctrl-C ----------------------------------------------------------------------------

/// `forge converge` as a plain child process (so it can be signalled), set up like
/// `forge_with_llm`.
fn spawn_converge(p: &Project, llm: &FakeLlm) -> std::process::Child {
    p.command_with_llm(llm, &["converge", CONTRACT])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn forge")
}

/// Wait (at most 20 s) until `ready` holds while forge still runs.
fn wait_until(child: &mut std::process::Child, what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ready() {
        if Instant::now() > deadline || child.try_wait().expect("try_wait").is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} never happened");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Send SIGINT as Ctrl-C does; return the exit code and stderr once forge has stopped.
fn ctrl_c(mut child: std::process::Child) -> (Option<i32>, String) {
    use nix::sys::signal::{Signal, kill};
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    kill(pid, Signal::SIGINT).expect("SIGINT");
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("forge did not stop within 10s of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What every interrupted run must leave: exit 130, the history row, a valid pack, the root as it was.
fn check_interrupted(p: &Project, code: Option<i32>, stderr: &str) {
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("interrupt"), "{stderr}");
    let run = last_run(p);
    assert_eq!(run["status"], "interrupted");
    let (_, pack) = verified_pack(p, &run);
    assert_eq!(pack["raw_evidence"]["outcome"]["status"], "interrupted");
    assert_eq!(p.read("src/a.txt"), "todo\n");
    // The model call made before the interrupt is paid for, in the pack and in history alike.
    let tokens = &pack["raw_evidence"]["metrics"]["tokens_used"];
    assert!(tokens.as_u64().unwrap_or(0) > 0, "{pack}");
    assert_eq!(&run["tokens"], tokens, "{run}");
}

#[test]
fn ctrl_c_interrupts_kills_the_validator_and_keeps_the_evidence() {
    let m = markers();
    let pid_file = m.path().join("pid");
    let validator = format!(
        "  - name: slow\n    run: echo $$ > {pid}.tmp; mv {pid}.tmp {pid}; exec sleep 30\n    timeout: 60s\n",
        pid = pid_file.display()
    );
    let p = project(&validator, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let mut child = spawn_converge(&p, &llm);
    wait_until(&mut child, "the validator's start", || pid_file.exists());
    let sleeper = read_pid(&pid_file);
    assert!(process_exists(sleeper));
    let (code, stderr) = ctrl_c(child);

    check_interrupted(&p, code, &stderr);
    assert!(
        !process_exists(sleeper),
        "validator {sleeper} survived Ctrl-C"
    );
}

#[test]
fn ctrl_c_while_the_model_writes_stops_the_call_and_keeps_the_evidence() {
    let p = project(DONE_VALIDATOR, "threshold: 1.0\n");
    let llm = FakeLlm::start(Provider::Openai);
    // About 30 s of streaming unless interrupted.
    llm.push(
        Reply::text(format!(
            "### FILE: src/a.txt\n```\n{}done\n```\n",
            "x".repeat(300)
        ))
        .chunk_delay(Duration::from_millis(100)),
    );

    let mut child = spawn_converge(&p, &llm);
    wait_until(&mut child, "the model call", || !llm.requests().is_empty());
    std::thread::sleep(Duration::from_millis(300));
    let (code, stderr) = ctrl_c(child);

    check_interrupted(&p, code, &stderr);
    assert_eq!(llm.requests().len(), 1);
    // The cut-off call is still in the pack, marked as not ok with an estimated cost.
    let (_, pack) = verified_pack(&p, &last_run(&p));
    let calls: Vec<&Value> = pack["raw_evidence"]["tool_invocations"]
        .as_array()
        .expect("tool_invocations")
        .iter()
        .filter(|t| t["type"] == "model_call")
        .collect();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["ok"], false);
    assert_eq!(calls[0]["estimated"], true);
    assert!(
        calls[0]["input_tokens"].as_u64().unwrap_or(0) > 0,
        "{}",
        calls[0]
    );
}

// --- 8. prompts ---------------------------------------------------------------------------

#[test]
fn the_second_prompt_carries_the_failure_digest_and_current_files_after_a_stable_prefix() {
    let p = project(
        "  - name: tests\n    kind: unit_test\n    run: python3 -m unittest discover -s tests -q\n    parse: unittest\n",
        "threshold: 1.0\n",
    );
    p.file(
        "tests/test_a.py",
        "import unittest\n\n\nclass TestA(unittest.TestCase):\n    def test_chatter(self):\n        for i in range(300):\n            print(f'NOISE-LINE {i} debug chatter')\n\n    def test_says_done(self):\n        with open('src/a.txt') as f:\n            text = f.read().strip()\n        self.assertEqual(text, 'done', 'a.txt must say done')\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "half-way-there\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    let (first, second) = (reqs[0].last_user_message(), reqs[1].last_user_message());
    assert!(first.contains("Make src/a.txt say done."), "{first}");
    assert!(
        second.starts_with(&first),
        "the first prompt is the prefix of the second"
    );
    assert_eq!(
        reqs[0].body["messages"][0], reqs[1].body["messages"][0],
        "the system message is the same"
    );
    let added = &second[first.len()..];
    assert!(added.contains("test_says_done"), "{added}");
    assert!(added.contains("a.txt must say done"), "{added}");
    assert!(added.contains("half-way-there"), "{added}");
    assert!(!second.contains("NOISE-LINE"), "raw output leaked: {added}");
    assert!(!first.contains("half-way-there"));
}

// --- synthesis ----------------------------------------------------------------------------

#[test]
fn llm_synthesis_is_one_more_counted_call_and_says_so() {
    let p = project(
        DONE_VALIDATOR,
        "threshold: 1.0\nevidence:\n  synthesis: llm\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push(Reply::text("### FILE: src/a.txt\n```\ndone\n```\n").usage(100, 10));
    llm.push(
        Reply::text(
            "{\"executive_summary\": \"Converged at once.\", \"key_findings\": [\"a.txt says done\"], \"recommendations\": [\"none\"]}",
        )
        .usage(300, 40),
    );

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2, "one generate call, one synthesis call");
    let run = last_run(&p);
    assert_eq!(
        run["tokens"], 450,
        "the synthesis tokens count in the run: {run}"
    );
    let (_, pack) = verified_pack(&p, &run);
    assert_eq!(pack["synthesis"]["generated_by"], "llm");
    assert_eq!(pack["synthesis"]["executive_summary"], "Converged at once.");
    assert_eq!(pack["raw_evidence"]["metrics"]["tokens_used"], 450);
    let purposes: Vec<&str> = pack["raw_evidence"]["tool_invocations"]
        .as_array()
        .expect("tool_invocations")
        .iter()
        .filter(|t| t["type"] == "model_call")
        .map(|t| t["purpose"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(purposes, ["generate", "synthesis"]);
}

#[test]
fn an_unusable_llm_synthesis_falls_back_to_the_template() {
    let p = project(
        DONE_VALIDATOR,
        "threshold: 1.0\nevidence:\n  synthesis: llm\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    llm.push_reply("Sorry, I cannot summarise this.");

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 2);
    let (_, pack) = verified_pack(&p, &last_run(&p));
    assert_eq!(pack["synthesis"]["generated_by"], "template");
    assert!(
        pack["synthesis"]["executive_summary"]
            .as_str()
            .unwrap_or("")
            .contains("converged"),
        "{}",
        pack["synthesis"]
    );
}

#[test]
fn synthesis_off_makes_no_call_and_leaves_the_summary_empty() {
    let p = project(
        DONE_VALIDATOR,
        "threshold: 1.0\nevidence:\n  synthesis: off\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let r = converge(&p, &llm, &[]);

    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(llm.requests().len(), 1);
    let (_, pack) = verified_pack(&p, &last_run(&p));
    assert_eq!(pack["synthesis"]["executive_summary"], "");
    assert_eq!(pack["synthesis"]["key_findings"], serde_json::json!([]));
}
