//! `forge check` through the real binary: the table, --json, --quiet, exit codes and the
//! validator environment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;

/// A contract with the given validators block (YAML, indented two spaces) and threshold.
fn contract(p: &Project, validators: &str, threshold: f64) -> String {
    p.file(
        "contract.yaml",
        &format!(
            "version: 1\nname: demo\ntask: make it pass\nfiles:\n  - src/*.py\nthreshold: {threshold}\nvalidators:\n{validators}"
        ),
    );
    "contract.yaml".into()
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const PASSING: &str =
    "  - name: tests\n    kind: unit_test\n    run: echo fine\n  - name: lint\n    run: 'true'\n";

#[test]
fn a_passing_root_exits_zero_with_a_table() {
    let p = Project::new();
    let c = contract(&p, PASSING, 0.85);
    let out = p.forge(&["check", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("validator")
            && lines[0].contains("kind")
            && lines[0].ends_with("time")
    );
    assert!(
        lines[1].starts_with("tests")
            && lines[1].contains("unit_test")
            && lines[1].contains("PASS")
    );
    assert!(lines[1].contains("1.00"));
    assert!(
        lines[2].starts_with("lint") && lines[2].contains("custom") && lines[2].contains("PASS")
    );
    assert!(text.contains("score 1.00 (threshold 0.85): PASS"), "{text}");
}

#[test]
fn a_failing_validator_exits_one_and_shows_its_failure() {
    let p = Project::new();
    let v = "  - name: tests\n    run: echo boom; exit 3\n  - name: lint\n    run: 'true'\n";
    let c = contract(&p, v, 0.85);
    let out = p.forge(&["check", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("tests") && l.contains("FAIL"))
    );
    assert!(text.contains("score 0.50 (threshold 0.85): FAIL"), "{text}");
    assert!(text.contains("\ntests failed (exit 3):"), "{text}");
}

#[test]
fn partial_credit_can_meet_the_threshold() {
    let p = Project::new();
    p.file(
        "tests/test_three.py",
        "import unittest\n\nclass T(unittest.TestCase):\n    def test_a(self): pass\n    def test_b(self): pass\n    def test_c(self): self.fail('nope')\n",
    );
    let v = "  - name: tests\n    kind: unit_test\n    run: python3 -m unittest discover -s tests -q\n    parse: unittest\n";
    let c = contract(&p, v, 0.6);
    let out = p.forge(&["check", &c]).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("0.67"), "{text}");
    assert!(text.contains("score 0.67 (threshold 0.60): PASS"), "{text}");
}

#[test]
fn a_failed_required_validator_fails_the_check_whatever_the_score() {
    let p = Project::new();
    let v = "  - name: tests\n    weight: 9\n    run: 'true'\n  - name: types\n    required: true\n    run: 'false'\n";
    let c = contract(&p, v, 0.5);
    let out = p.forge(&["check", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("score 0.90 (threshold 0.50): FAIL"), "{text}");
    assert!(
        text.contains("required validator `types` did not pass"),
        "{text}"
    );
}

#[test]
fn json_has_exactly_the_promised_fields() {
    let p = Project::new();
    let v = "  - name: tests\n    kind: unit_test\n    weight: 3\n    run: 'true'\n  - name: slow\n    timeout: 200ms\n    run: sleep 5\n";
    let c = contract(&p, v, 0.7);
    let out = p.forge(&["check", "--json", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&doc), ["passed", "score", "threshold", "validators"]);
    assert_eq!(doc["score"], 0.75);
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["threshold"], 0.7);
    let vs = doc["validators"].as_array().unwrap();
    assert_eq!(vs.len(), 2);
    assert_eq!(
        keys(&vs[0]),
        [
            "duration_ms",
            "exit_code",
            "kind",
            "name",
            "score",
            "timed_out"
        ]
    );
    assert_eq!(vs[0]["name"], "tests");
    assert_eq!(vs[0]["kind"], "unit_test");
    assert_eq!(vs[0]["exit_code"], 0);
    assert_eq!(vs[0]["timed_out"], false);
    assert_eq!(vs[0]["score"], 1.0);
    assert_eq!(vs[1]["name"], "slow");
    assert_eq!(vs[1]["timed_out"], true);
    assert_eq!(vs[1]["score"], 0.0);
    assert!(vs[1]["duration_ms"].as_u64().is_some_and(|ms| ms >= 200));
}

#[test]
fn a_timeout_shows_as_timeout() {
    let p = Project::new();
    let v = "  - name: slow\n    timeout: 200ms\n    run: sleep 5\n";
    let c = contract(&p, v, 0.85);
    let out = p.forge(&["check", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.lines().nth(1).is_some_and(|l| l.contains("TIMEOUT")),
        "{text}"
    );
    assert!(text.contains("\nslow timed out:"), "{text}");
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_code() {
    let p = Project::new();
    let c = contract(&p, "  - name: t\n    run: 'false'\n", 0.85);
    let out = p.forge(&["check", "--quiet", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let c = contract(&p, PASSING, 0.85);
    let out = p.forge(&["check", "-q", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_mistyped_command_gets_a_hint() {
    let p = Project::new();
    let c = contract(&p, "  - name: t\n    run: pythn3 -m pytest\n", 0.85);
    let out = p.forge(&["check", &c]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("t failed (exit 127):\n    command not found: check `run:`"),
        "{text}"
    );
}

#[test]
fn validators_run_in_the_root_without_secrets() {
    let p = Project::new();
    p.file("marker.txt", "x");
    let v = "  - name: root\n    run: test -f marker.txt\n  - name: no-secrets\n    run: test -z \"$OPENAI_API_KEY$ANTHROPIC_API_KEY$FORGE_EVIDENCE_KEY$GITHUB_TOKEN\"\n  - name: ordinary\n    run: test \"$FORGE_TEST_ORDINARY\" = kept\n";
    let c = contract(&p, v, 1.0);
    let out = p
        .forge(&["check", "--json", &c])
        .env("OPENAI_API_KEY", "sk-leak")
        .env("ANTHROPIC_API_KEY", "sk-ant-leak")
        .env("FORGE_EVIDENCE_KEY", "leak")
        .env("GITHUB_TOKEN", "ghp_leak")
        .env("FORGE_TEST_ORDINARY", "kept")
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for v in doc["validators"].as_array().unwrap() {
        assert_eq!(v["exit_code"], 0, "{} failed", v["name"]);
    }
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_input_exits_two() {
    let p = Project::new();
    let out = p.forge(&["check", "missing.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    p.file("bad.yaml", "version: 1\nname: demo\n");
    let out = p.forge(&["check", "bad.yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let p = Project::new();
    let c = contract(&p, PASSING, 0.85);
    let esc = |out: &std::process::Output| stdout(out).contains('\u{1b}');
    // Project::forge sets NO_COLOR=1 and stdout is a pipe: plain by default.
    assert!(!esc(&p.forge(&["check", &c]).output().unwrap()));
    let always = p
        .forge(&["check", &c, "--color", "always"])
        .output()
        .unwrap();
    assert!(esc(&always), "{}", stdout(&always));
    let never = p
        .forge(&["check", &c, "--color", "never"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!esc(&never), "{}", stdout(&never));
}
