//! The validator runner on real `sh` subprocesses: concurrency, timeouts and process groups,
//! bounded output, exit codes, the scrubbed environment, cancellation, parsers and scoring.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forge::contract::{Parser, Validator, ValidatorKind};
use forge::validate::{ValidateError, ValidatorResult, run_all, score_round};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

fn validator(name: &str, run: &str) -> Validator {
    Validator {
        name: name.into(),
        kind: ValidatorKind::Custom,
        run: run.into(),
        weight: 1.0,
        required: false,
        timeout: Duration::from_secs(30),
        parse: Parser::ExitCode,
    }
}

fn with_timeout(mut v: Validator, timeout: Duration) -> Validator {
    v.timeout = timeout;
    v
}

/// One round in `dir`; a hang fails the test instead of blocking the suite.
async fn run(validators: &[Validator], dir: &Path) -> Vec<ValidatorResult> {
    let cancel = CancellationToken::new();
    tokio::time::timeout(
        Duration::from_secs(60),
        run_all(validators, dir, &cancel, &|_| {}),
    )
    .await
    .expect("run_all returned within a minute")
    .expect("validators ran")
}

async fn run_one(v: Validator, dir: &Path) -> ValidatorResult {
    run(&[v], dir).await.remove(0)
}

fn alive(pid: i32) -> bool {
    // Signal 0 checks existence; a zombie still counts, so look at its state too.
    let exists = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok();
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false);
    exists && !zombie
}

async fn read_pid(path: &Path) -> i32 {
    for _ in 0..100 {
        if let Ok(s) = std::fs::read_to_string(path) {
            if let Ok(pid) = s.trim().parse() {
                return pid;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no pid written to {}", path.display());
}

async fn gone_soon(pid: i32) -> bool {
    for _ in 0..50 {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn validators_of_a_round_run_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    // Each writes when it started and ended (ns); the intervals must overlap.
    let a = validator("a", "date +%s%N > a.start; sleep 1; date +%s%N > a.end");
    let b = validator("b", "date +%s%N > b.start; sleep 1; date +%s%N > b.end");
    let results = run(&[a, b], dir.path()).await;
    let t = |f: &str| -> u128 {
        std::fs::read_to_string(dir.path().join(f))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    assert!(
        t("a.start") < t("b.end") && t("b.start") < t("a.end"),
        "the two sleeps did not overlap"
    );
    for r in &results {
        assert!(
            r.duration_ms >= 1000,
            "{} reported {}ms",
            r.name,
            r.duration_ms
        );
        assert_eq!(r.exit_code, Some(0));
        assert_eq!(r.score, 1.0);
    }
}

#[tokio::test]
async fn results_come_back_in_contract_order_and_each_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Mutex::new(Vec::new());
    let vs = [
        validator("slow", "sleep 0.5; echo slow"),
        validator("fast", "echo fast"),
    ];
    let cancel = CancellationToken::new();
    let results = run_all(&vs, dir.path(), &cancel, &|r| {
        seen.lock().unwrap().push(r.name.clone())
    })
    .await
    .unwrap();
    let names: Vec<_> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["slow", "fast"]);
    assert_eq!(
        *seen.lock().unwrap(),
        ["fast", "slow"],
        "on_finished fires as each completes"
    );
    assert_eq!(results[0].output.text(), "slow\n");
}

#[tokio::test]
async fn a_timeout_kills_the_whole_group_including_grandchildren() {
    let dir = tempfile::tempdir().unwrap();
    let v = with_timeout(
        validator(
            "hang",
            "sh -c 'echo $$ > grandchild.pid; exec sleep 1000' & wait",
        ),
        Duration::from_millis(500),
    );
    let r = run_one(v, dir.path()).await;
    assert!(r.timed_out);
    assert_eq!(r.score, 0.0);
    assert!(!r.passed());
    assert!(
        r.exit_code.is_some_and(|c| c > 128),
        "killed by a signal: {:?}",
        r.exit_code
    );
    assert!(r.digest.contains("timed out after 500ms"), "{}", r.digest);
    let pid = read_pid(&dir.path().join("grandchild.pid")).await;
    assert!(
        gone_soon(pid).await,
        "grandchild {pid} survived the timeout"
    );
}

#[tokio::test]
async fn a_group_that_ignores_sigterm_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let v = with_timeout(
        validator(
            "stubborn",
            "trap '' TERM; echo $$ > shell.pid; while :; do sleep 0.1; done",
        ),
        Duration::from_millis(300),
    );
    let r = run_one(v, dir.path()).await;
    assert!(r.timed_out);
    assert_eq!(r.exit_code, Some(128 + 9));
    let pid = read_pid(&dir.path().join("shell.pid")).await;
    assert!(gone_soon(pid).await);
}

#[tokio::test]
async fn a_validator_that_exits_leaving_children_does_not_hang_and_they_are_killed() {
    let dir = tempfile::tempdir().unwrap();
    // The backgrounded sleep inherits the output pipe and would hold it open for 1000s.
    let v = validator("leaves", "sleep 1000 & echo $! > left.pid; echo done");
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.exit_code, Some(0));
    assert_eq!(r.output.text(), "done\n");
    let pid = read_pid(&dir.path().join("left.pid")).await;
    assert!(gone_soon(pid).await, "left-behind child {pid} survived");
}

#[tokio::test]
async fn a_process_that_escaped_the_group_cannot_hold_the_round_open() {
    let dir = tempfile::tempdir().unwrap();
    let v = validator(
        "escapes",
        "setsid sh -c 'echo $$ > escaped.pid; exec sleep 1000' & sleep 0.2; echo done",
    );
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.exit_code, Some(0));
    assert!(r.output.text().contains("done"));
    let pid = read_pid(&dir.path().join("escaped.pid")).await;
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

#[tokio::test]
async fn huge_output_is_counted_but_kept_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let v = validator(
        "loud",
        "echo FIRST; yes 'a fairly long line of output' | head -c 300000000; echo; echo LAST",
    );
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.exit_code, Some(0));
    assert_eq!(r.output.total_bytes, 6 + 300_000_000 + 1 + 5);
    assert!(r.output.truncated);
    let text = r.output.text();
    assert!(text.len() < 300 * 1024, "kept {} bytes", text.len());
    assert!(text.starts_with("FIRST\n"));
    assert!(text.ends_with("\nLAST\n"));
    assert!(text.contains("bytes omitted ...]"));
}

#[tokio::test]
async fn endless_output_until_the_timeout_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let v = with_timeout(
        validator("urandom", "cat /dev/urandom"),
        Duration::from_millis(700),
    );
    let r = run_one(v, dir.path()).await;
    assert!(r.timed_out);
    assert!(
        r.output.total_bytes > 1024 * 1024,
        "read {} bytes",
        r.output.total_bytes
    );
    // Lossy decoding may widen each invalid byte to a 3-byte replacement character.
    assert!(r.output.text().len() < 3 * 2 * 64 * 1024 + 100);
}

#[tokio::test]
async fn binary_output_is_decoded_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(validator("bin", r"printf 'ok \377\376 end'"), dir.path()).await;
    assert_eq!(r.output.total_bytes, 9);
    assert_eq!(r.output.text(), "ok \u{fffd}\u{fffd} end");
}

#[tokio::test]
async fn stdout_and_stderr_are_merged_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(
        validator("both", "echo one; echo two >&2; echo three"),
        dir.path(),
    )
    .await;
    assert_eq!(r.output.text(), "one\ntwo\nthree\n");
}

#[tokio::test]
async fn a_missing_command_says_to_check_run() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(validator("typo", "pythn3 -m unittest"), dir.path()).await;
    assert_eq!(r.exit_code, Some(127));
    assert_eq!(r.score, 0.0);
    assert!(
        r.digest.starts_with("command not found: check `run:`"),
        "{}",
        r.digest
    );
}

#[tokio::test]
async fn death_by_signal_is_128_plus_n() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(validator("killed", "kill -TERM $$"), dir.path()).await;
    assert_eq!(r.exit_code, Some(128 + 15));
    assert!(!r.timed_out);
    let r = run_one(validator("segv", "kill -SEGV $$"), dir.path()).await;
    assert_eq!(r.exit_code, Some(128 + 11));
}

#[tokio::test]
async fn plain_exit_codes_and_stdin_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(validator("three", "exit 3"), dir.path()).await;
    assert_eq!(r.exit_code, Some(3));
    assert!(!r.passed());
    // stdin is /dev/null: `cat` ends at once instead of waiting for input.
    let r = run_one(validator("stdin", "cat; echo eof"), dir.path()).await;
    assert_eq!(r.output.text(), "eof\n");
    assert!(r.passed());
    assert!(r.digest.is_empty());
}

#[tokio::test]
async fn runs_in_the_given_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("marker.txt"), "here").unwrap();
    let r = run_one(validator("cwd", "cat marker.txt"), dir.path()).await;
    assert_eq!(r.output.text(), "here");
}

#[tokio::test]
async fn secrets_are_scrubbed_from_the_environment() {
    // Set for the whole test process; no other test in this file reads these names.
    // SAFETY: other threads here only touch the environment through std (Command::spawn),
    // which takes the same lock as set_var; nothing reads it through libc's getenv.
    unsafe {
        std::env::set_var("OPENAI_API_KEY", "sk-test-should-not-leak");
        std::env::set_var("FORGE_EVIDENCE_KEY", "evidence-should-not-leak");
        std::env::set_var("AWS_ACCESS_KEY_ID", "aws-should-not-leak");
        std::env::set_var("my_db_password", "pw-should-not-leak");
        std::env::set_var("GITHUB_TOKEN", "gh-should-not-leak");
        std::env::set_var("FORGE_TEST_ORDINARY", "kept-value");
        std::env::set_var("LC_ALL", "C");
    }
    let dir = tempfile::tempdir().unwrap();
    let r = run_one(validator("env", "env"), dir.path()).await;
    let text = r.output.text();
    assert!(!text.contains("should-not-leak"), "secret leaked:\n{text}");
    for kept in ["PATH=", "FORGE_TEST_ORDINARY=kept-value", "LC_ALL=C"] {
        assert!(
            text.lines().any(|l| l.starts_with(kept)),
            "{kept} missing:\n{text}"
        );
    }
}

#[tokio::test]
async fn cancelling_kills_every_group_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let vs = [
        validator("a", "echo $$ > a.pid; exec sleep 1000"),
        validator("b", "sleep 1000 & echo $! > b.pid; wait"),
    ];
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let pids_dir = dir.path().to_path_buf();
    let canceller = tokio::spawn(async move {
        read_pid(&pids_dir.join("a.pid")).await;
        read_pid(&pids_dir.join("b.pid")).await;
        trigger.cancel();
    });
    let outcome = tokio::time::timeout(
        Duration::from_secs(60),
        run_all(&vs, dir.path(), &cancel, &|_| {}),
    )
    .await
    .expect("cancel ended the round");
    canceller.await.unwrap();
    assert!(
        matches!(outcome, Err(ValidateError::Cancelled)),
        "{outcome:?}"
    );
    for f in ["a.pid", "b.pid"] {
        let pid = read_pid(&dir.path().join(f)).await;
        assert!(gone_soon(pid).await, "{f}: {pid} survived cancel");
    }
}

#[tokio::test]
async fn a_missing_working_directory_is_a_spawn_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let cancel = CancellationToken::new();
    let err = run_all(&[validator("x", "true")], &missing, &cancel, &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, ValidateError::Spawn { .. }));
    assert!(err.to_string().contains("nope"), "{err}");
}

#[tokio::test]
async fn parsers_give_partial_credit_from_real_tools() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(
        dir.path().join("tests/test_three.py"),
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_a(self): pass\n    def test_b(self): pass\n    def test_c(self): self.fail('nope')\n",
    )
    .unwrap();
    let mut v = validator("unit", "python3 -m unittest discover -s tests -q");
    v.parse = Parser::Unittest;
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.exit_code, Some(1));
    assert_eq!(r.counts.map(|c| (c.passed, c.total)), Some((2, 3)));
    assert!((r.score - 2.0 / 3.0).abs() < 1e-12);
}

#[tokio::test]
async fn a_parser_that_finds_nothing_falls_back_to_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = validator("tap", "echo no tap here");
    v.parse = Parser::Tap;
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.counts, None);
    assert_eq!(r.score, 1.0);
}

#[tokio::test]
async fn junit_report_is_read_and_a_missing_one_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = validator(
        "junit",
        r#"mkdir -p out && echo '<testsuite tests="4" failures="1"/>' > out/r.xml; exit 1"#,
    );
    v.parse = Parser::Junit("out/r.xml".into());
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.score, 0.75);

    let mut v = validator("nojunit", "exit 1");
    v.parse = Parser::Junit("missing.xml".into());
    let r = run_one(v, dir.path()).await;
    assert_eq!(r.score, 0.0);
    assert!(
        r.output
            .text()
            .contains("[forge] junit report `missing.xml` was not written")
    );
    assert!(
        r.digest.contains("`missing.xml` was not written"),
        "{}",
        r.digest
    );
}

#[tokio::test]
async fn a_round_scores_its_weighted_mean_and_required_validators_gate_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut tests = validator("tests", "exit 0");
    tests.weight = 3.0;
    let mut lint = validator("lint", "exit 1");
    lint.required = true;
    let vs = [tests, lint];
    let results = run(&vs, dir.path()).await;
    let round = score_round(&vs, &results, 0.75);
    assert_eq!(round.score, 0.75);
    assert!(!round.converged, "required lint failed");
    let mut relaxed = vs.clone();
    relaxed[1].required = false;
    assert!(score_round(&relaxed, &results, 0.75).converged);
}
