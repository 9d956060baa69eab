//! `forge metrics` (SPEC §8): the history of a root as Prometheus text, checked by promtool.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::history::History;
use support::Project;
use support::records::{A, C, KEY_BYTES, key, model_call, new_run, three_runs, write_signed_pack};

const RUNNING: &str = "01JDDDDDDDDDDDDDDDDDDDDDDD";

/// The value of the sample `series` (name plus labels, exactly as printed).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample `{series}` in\n{text}"))
        .parse()
        .unwrap_or_else(|e| panic!("`{series}`: {e}"))
}

fn metrics(p: &Project) -> String {
    let out = p.forge(&["metrics"]).assert().code(0).get_output().clone();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_spec_metrics_are_folded_from_the_history_and_packs() {
    let p = Project::new();
    {
        let h = History::open(p.path()).unwrap();
        three_runs(&h);
        // Still running (this test process is its live forge): not counted until it ends.
        h.start_run(&new_run(RUNNING, "slow", "2026-11-21T13:00:00.000Z"))
            .unwrap();
        h.record_model_call(RUNNING, 1, &model_call()).unwrap();
    }
    // C was recorded before rows kept its feedback: metrics reads that from its pack. A's
    // pack is there too, but its row has the numbers, so it is never opened.
    rusqlite::Connection::open(p.join(".forge/history.db"))
        .unwrap()
        .execute(
            "UPDATE runs SET raw_feedback_tokens = NULL, sent_feedback_tokens = NULL
             WHERE run_id = ?1",
            [C],
        )
        .unwrap();
    let k = key(KEY_BYTES);
    write_signed_pack(p.path(), A, &k);
    write_signed_pack(p.path(), C, &k);

    let t = metrics(&p);
    assert_eq!(
        value(&t, "forge_convergence_total{status=\"converged\"}"),
        2.0
    );
    assert_eq!(
        value(&t, "forge_convergence_total{status=\"stagnated\"}"),
        1.0
    );
    assert_eq!(
        value(&t, "forge_convergence_total{status=\"timeout\"}"),
        0.0
    );
    assert!(!t.contains("status=\"running\""), "{t}");
    assert!((value(&t, "forge_convergence_success_ratio") - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(value(&t, "forge_convergence_iterations_count"), 3.0);
    assert_eq!(value(&t, "forge_convergence_iterations_sum"), 6.0);
    assert_eq!(
        value(&t, "forge_convergence_iterations_bucket{le=\"1\"}"),
        1.0
    );
    assert_eq!(
        value(&t, "forge_convergence_iterations_bucket{le=\"2\"}"),
        2.0
    );
    assert_eq!(value(&t, "forge_convergence_tokens_sum"), 900.0);
    // Started 10:00, 11:00, 12:00; all finished 18:00.
    assert_eq!(
        value(&t, "forge_convergence_duration_seconds_sum"),
        75_600.0
    );
    assert_eq!(
        value(&t, "forge_convergence_duration_seconds_bucket{le=\"+Inf\"}"),
        3.0
    );
    // 9 validator executions that ran (the perf breaker skipped the rest), 3 timed out.
    assert!((value(&t, "forge_validator_timeout_ratio") - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(value(&t, "forge_model_tokens_total{kind=\"input\"}"), 600.0);
    assert_eq!(
        value(&t, "forge_model_tokens_total{kind=\"output\"}"),
        300.0
    );
    assert_eq!(value(&t, "forge_model_tokens_total{kind=\"cached\"}"), 0.0);
    // 1450 raw feedback tokens and 120 sent for each run: A and B from their rows, C (no
    // numbers in its row) from its pack.
    let savings = value(&t, "forge_feedback_token_savings_ratio");
    assert!(
        (savings - (1.0 - 360.0 / 4350.0)).abs() < 1e-12,
        "{savings}"
    );

    support::tools::promtool_check(&t);
}

#[test]
fn an_empty_root_reads_as_zero_runs_and_writes_nothing() {
    let p = Project::new();
    let t = metrics(&p);
    assert_eq!(
        value(&t, "forge_convergence_total{status=\"converged\"}"),
        0.0
    );
    assert!(value(&t, "forge_convergence_success_ratio").is_nan());
    assert!(!p.join(".forge").exists(), "reading metrics created .forge");
    support::tools::promtool_check(&t);
}

#[test]
fn a_foreign_history_file_is_a_clear_error() {
    let p = Project::new();
    p.file(
        ".forge/history.db",
        "not sqlite at all, just text that is long enough to read",
    );
    p.forge(&["metrics"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("not a forge history database"));
}

#[test]
fn several_roots_are_for_serve_only() {
    let p = Project::new();
    p.forge(&["metrics", "--root", ".", "--root", "."])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("only `forge serve`"));
}

#[test]
fn a_real_run_keeps_its_feedback_in_its_row_and_metrics_reads_it_without_the_pack() {
    let p = Project::new();
    p.file("a.txt", "start\n");
    p.file(
        "c.yaml",
        "version: 1\nname: fb\ntask: write done\nfiles: [a.txt]\nvalidators:\n  - name: says\n    run: cat a.txt; grep -q done a.txt\nevidence:\n  synthesis: template\n",
    );
    let answers: String = ["not yet, a line the digest will see", "done"]
        .iter()
        .map(|a| {
            serde_json::json!({ "response": format!("### FILE: a.txt\n```\n{a}\n```\n") })
                .to_string()
                + "\n"
        })
        .collect();
    p.file("cassette.jsonl", &answers);
    p.forge(&[
        "converge",
        "c.yaml",
        "--replay",
        "cassette.jsonl",
        "--no-apply",
    ])
    .assert()
    .code(0);
    let (run_id, raw, sent): (String, Option<i64>, Option<i64>) =
        rusqlite::Connection::open(p.join(".forge/history.db"))
            .unwrap()
            .query_row(
                "SELECT run_id, raw_feedback_tokens, sent_feedback_tokens FROM runs",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    let pack: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.join(&format!(".forge/runs/{run_id}/evidence.json"))).unwrap(),
    )
    .unwrap();
    let m = &pack["raw_evidence"]["metrics"];
    assert!(raw.unwrap() > 0, "the failing iteration had feedback");
    assert_eq!(raw, m["raw_feedback_tokens"].as_i64());
    assert_eq!(sent, m["sent_feedback_tokens"].as_i64());

    let expected = 1.0 - sent.unwrap() as f64 / raw.unwrap() as f64;
    std::fs::remove_dir_all(p.join(".forge/runs")).unwrap();
    let t = metrics(&p);
    let savings = value(&t, "forge_feedback_token_savings_ratio");
    assert!(
        (savings - expected).abs() < 1e-12,
        "{savings} vs {expected}"
    );
}
