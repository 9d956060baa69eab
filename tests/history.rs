//! The run history: written through the library, read through `forge runs`, and kept whole
//! under locks, read-only files, foreign files, old and new schemas, crashes and concurrency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::history::{History, HistoryError, RunStatus};
use predicates::prelude::*;
use rusqlite::Connection;
use support::Project;
use support::records::{self, A, B, C, iteration, model_call, new_run};

fn three_runs(p: &Project) {
    records::three_runs(&History::open(p.path()).unwrap());
}

fn db(p: &Project) -> std::path::PathBuf {
    p.join(".forge/history.db")
}

fn json_of(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).expect("JSON on stdout")
}

#[test]
fn runs_list_is_newest_first_with_the_spec_fields() {
    let p = Project::new();
    three_runs(&p);
    let out = p
        .forge(&["runs", "list"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("RUN ID") && lines[0].contains("STATUS"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(C) && lines[2].starts_with(B) && lines[3].starts_with(A),
        "{text}"
    );
    assert!(
        lines[1].contains("converged (degraded)") && lines[3].contains("converged"),
        "{text}"
    );

    let out = p
        .forge(&["runs", "list", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let runs = json_of(&out);
    let ids: Vec<&str> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [C, B, A]);
    let b = &runs[1];
    for field in [
        "run_id",
        "contract",
        "status",
        "degraded",
        "score",
        "iterations",
        "tokens",
        "started_at",
        "finished_at",
    ] {
        assert!(b.get(field).is_some(), "missing {field} in {b}");
    }
    assert_eq!(b["contract"], "parser");
    assert_eq!(b["status"], "stagnated");
    assert_eq!(b["degraded"], true);
    assert_eq!(b["iterations"], 3);
    assert_eq!(b["tokens"], 450);
    assert_eq!(b["score"], 1.0);
    assert_eq!(b["finished_at"], "2026-11-21T18:00:00.000Z");

    let out = p
        .forge(&["runs", "list", "--limit", "1", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out).as_array().unwrap().len(), 1);
    let out = p
        .forge(&["runs", "list", "--status", "stagnated", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)[0]["run_id"], B);
    assert_eq!(json_of(&out).as_array().unwrap().len(), 1);
    p.forge(&["runs", "list", "--status", "bogus"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown status `bogus`")
                .and(predicate::str::contains("max_iterations")),
        );
}

#[test]
fn runs_show_has_iterations_and_validator_results() {
    let p = Project::new();
    three_runs(&p);
    p.forge(&["runs", "show", B])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!("Run {B}")))
        .stdout(predicate::str::contains("Iteration 3  score 1.00"))
        .stdout(predicate::str::contains("perf   performance  skipped"))
        .stdout(predicate::str::contains("tests  unit_test    exit 1"));
    let out = p
        .forge(&["runs", "show", B, "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let run = json_of(&out);
    assert_eq!(run["run_id"], B);
    assert_eq!(run["status"], "stagnated");
    let its = run["iterations"].as_array().unwrap();
    assert_eq!(its.len(), 3);
    assert_eq!(its[0]["n"], 1);
    assert_eq!(its[0]["edits_refused"], 1);
    assert_eq!(its[0]["validators"][0]["name"], "tests");
    assert_eq!(its[0]["validators"][0]["exit_code"], 1);
    assert_eq!(its[0]["validators"][1]["timed_out"], true);
    assert!(
        its[0]["validators"][1].get("skipped").is_none(),
        "only a skipped one says so"
    );
    assert_eq!(its[1]["validators"][1]["skipped"], true);
    p.forge(&["runs", "show", "01JNOPE0000000000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no run with id `01JNOPE0000000000000000000`",
        ));
}

#[test]
fn a_root_without_history_lists_nothing_and_stays_clean() {
    let p = Project::new();
    p.forge(&["runs", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No runs recorded"));
    p.forge(&["runs", "list", "--json"])
        .assert()
        .code(0)
        .stdout("[]\n");
    p.forge(&["runs", "show", A]).assert().code(2);
    assert!(
        !p.join(".forge").exists(),
        "reading must not create .forge/"
    );
    let other = Project::new();
    three_runs(&other);
    p.forge(&[
        "--root",
        &other.path().display().to_string(),
        "runs",
        "list",
        "--json",
    ])
    .assert()
    .code(0)
    .stdout(predicate::str::contains(A));
}

#[test]
fn the_engine_api_rejects_unknown_runs_and_records_model_calls() {
    let p = Project::new();
    let h = History::open(p.path()).unwrap();
    assert!(matches!(
        h.record_iteration("nope", &iteration(1, 0.5)),
        Err(HistoryError::UnknownRun(_))
    ));
    assert!(matches!(
        h.record_model_call("nope", 1, &model_call()),
        Err(HistoryError::UnknownRun(_))
    ));
    assert_eq!(
        forge::Error::from(HistoryError::UnknownRun("x".into())).exit_code(),
        2
    );
    h.start_run(&new_run(A, "slugify", "2026-11-21T10:00:00.000Z"))
        .unwrap();
    h.record_model_call(A, 1, &model_call()).unwrap();
    h.record_iteration(A, &iteration(1, 0.5)).unwrap();
    // A half-recorded iteration is never left behind: a duplicate is refused as a whole.
    assert!(h.record_iteration(A, &iteration(1, 0.9)).is_err());
    let run = h.show_run(A).unwrap();
    assert_eq!(run.summary.status, RunStatus::Running);
    assert_eq!(run.iterations.len(), 1);
    assert_eq!(run.iterations[0].validators.len(), 2);
    assert_eq!(run.summary.score, Some(0.5));
    let conn = Connection::open(db(&p)).unwrap();
    let calls: i64 = conn
        .query_row(
            "SELECT count(*) FROM model_calls WHERE run_id = ?1",
            [A],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(calls, 1);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Hold the database with an exclusive lock the way another process would.
fn hold_exclusive_lock(p: &Project) -> Connection {
    let conn = Connection::open(db(p)).unwrap();
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE; UPDATE runs SET reason = reason;")
        .unwrap();
    conn
}

#[test]
fn a_locked_database_gets_a_clear_message() {
    let p = Project::new();
    three_runs(&p);
    let lock = hold_exclusive_lock(&p);
    p.forge(&["runs", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("is locked by another process"));
    match History::open(p.path()) {
        Err(e @ HistoryError::Locked { .. }) => assert!(e.to_string().contains("history.db")),
        other => panic!("expected Locked, got {other:?}"),
    }
    lock.execute_batch("COMMIT").unwrap();
    drop(lock);
    p.forge(&["runs", "list", "--json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(A));
}

/// A v1 database as the first forge release wrote it, with one finished run.
fn write_v1_database(p: &Project) {
    std::fs::create_dir_all(p.join(".forge")).unwrap();
    let conn = Connection::open(db(p)).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE runs (run_id TEXT PRIMARY KEY, contract_name TEXT NOT NULL,
             contract_path TEXT NOT NULL, contract_sha256 TEXT NOT NULL, provider TEXT NOT NULL,
             model TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
             degraded INTEGER NOT NULL DEFAULT 0, score REAL, iterations INTEGER NOT NULL DEFAULT 0,
             tokens INTEGER NOT NULL DEFAULT 0, evidence_path TEXT, reason TEXT, pid INTEGER,
             pid_start_time INTEGER);
         CREATE INDEX runs_by_start ON runs (started_at);
         CREATE TABLE iterations (run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
             n INTEGER NOT NULL, score REAL NOT NULL, input_tokens INTEGER NOT NULL,
             output_tokens INTEGER NOT NULL, prompt_sha256 TEXT NOT NULL,
             response_sha256 TEXT NOT NULL, duration_ms INTEGER NOT NULL,
             edits_applied INTEGER NOT NULL, edits_refused INTEGER NOT NULL,
             PRIMARY KEY (run_id, n));
         CREATE TABLE validator_results (run_id TEXT NOT NULL, iteration INTEGER NOT NULL,
             name TEXT NOT NULL, kind TEXT NOT NULL, exit_code INTEGER, timed_out INTEGER NOT NULL,
             duration_ms INTEGER NOT NULL, score REAL NOT NULL, output_bytes INTEGER NOT NULL,
             PRIMARY KEY (run_id, iteration, name),
             FOREIGN KEY (run_id, iteration) REFERENCES iterations (run_id, n) ON DELETE CASCADE);
         INSERT INTO runs VALUES ('01JOLD00000000000000000000', 'legacy', 'c.yaml', 'ab', 'ollama',
             'llama3', '2026-01-01T00:00:00.000Z', '2026-01-01T00:05:00.000Z', 'max_iterations', 0,
             0.5, 1, 300, NULL, 'limit reached', NULL, NULL);
         INSERT INTO iterations VALUES ('01JOLD00000000000000000000', 1, 0.5, 200, 100, 'p', 'r', 900, 1, 0);
         INSERT INTO validator_results VALUES ('01JOLD00000000000000000000', 1, 'tests', 'unit_test', 1, 0, 800, 0.5, 42);
         PRAGMA user_version = 1;",
    )
    .unwrap();
}

#[test]
fn an_older_schema_is_migrated_forward_on_open() {
    let p = Project::new();
    write_v1_database(&p);
    let out = p
        .forge(&["runs", "show", "01JOLD00000000000000000000", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let run = json_of(&out);
    assert_eq!(run["contract"], "legacy");
    assert_eq!(run["status"], "max_iterations");
    assert!(
        run["iterations"][0]["validators"][0]
            .get("skipped")
            .is_none(),
        "new column gets its default (not skipped)"
    );
    assert_eq!(
        run["iterations"][0]["validators"][0]["command"], "",
        "a column added in v3 gets its default"
    );
    let conn = Connection::open(db(&p)).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, forge::history::SCHEMA_VERSION);
    drop(conn);
    let h = History::open(p.path()).unwrap();
    h.start_run(&new_run(A, "slugify", "2026-11-21T10:00:00.000Z"))
        .unwrap();
    h.record_model_call(A, 1, &model_call()).unwrap();
    assert_eq!(h.list_runs(10, None).unwrap().len(), 2);
}

fn sha(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_database_from_a_newer_forge_is_refused_and_left_untouched() {
    let p = Project::new();
    std::fs::create_dir_all(p.join(".forge")).unwrap();
    {
        let conn = Connection::open(db(&p)).unwrap();
        conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let before = sha(&db(&p));
    p.forge(&["runs", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "written by a newer forge (schema version 99",
        ));
    match History::open(p.path()) {
        Err(HistoryError::TooNew { found: 99, .. }) => {}
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert_eq!(sha(&db(&p)), before, "the file is byte for byte as it was");
    assert!(!p.join(".forge/history.db-wal").exists());
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let p = Project::new();
    let junk =
        "this is a text file that someone saved as history.db, not SQLite at all.\n".repeat(20);
    p.file(".forge/history.db", &junk);
    p.forge(&["runs", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a forge history database"));
    assert!(matches!(
        History::open(p.path()),
        Err(HistoryError::NotADatabase { .. })
    ));
    assert_eq!(p.read(".forge/history.db"), junk);
}

/// `forge` run as an unprivileged user when the tests run as root (root ignores file modes).
fn forge_unprivileged(p: &Project, args: &[&str]) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("forge"));
    cmd.current_dir(p.path())
        .env_clear()
        .env("NO_COLOR", "1")
        .args(args);
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        cmd.uid(65534).gid(65534);
    }
    cmd.output().unwrap()
}

fn make_read_only(p: &Project) {
    use std::os::unix::fs::PermissionsExt;
    let set = |path: std::path::PathBuf, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(p.path().to_path_buf(), 0o755);
    set(db(p), 0o444);
    set(p.join(".forge"), 0o555);
}

#[test]
fn a_read_only_history_is_still_listed_but_cannot_be_migrated() {
    let p = Project::new();
    three_runs(&p);
    make_read_only(&p);
    let out = forge_unprivileged(&p, &["runs", "list", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(json_of(&out.stdout).as_array().unwrap().len(), 3);

    let old = Project::new();
    write_v1_database(&old);
    make_read_only(&old);
    let out = forge_unprivileged(&old, &["runs", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is read-only"), "{stderr}");
    let v: i64 = Connection::open(db(&old))
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1, "nothing was changed");
}

#[test]
fn runs_left_running_by_a_dead_or_replaced_process_are_marked_interrupted() {
    let p = Project::new();
    let h = History::open(p.path()).unwrap();
    for id in [A, B, C] {
        h.start_run(&new_run(id, "slugify", "2026-11-21T10:00:00.000Z"))
            .unwrap();
    }
    h.record_iteration(A, &iteration(1, 0.3)).unwrap();
    drop(h);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    let conn = Connection::open(db(&p)).unwrap();
    conn.execute(
        "UPDATE runs SET pid = ?1 WHERE run_id = ?2",
        rusqlite::params![dead_pid, A],
    )
    .unwrap();
    // B: this very pid is alive, but it is not the process that started the run.
    conn.execute(
        "UPDATE runs SET pid_start_time = pid_start_time + 1 WHERE run_id = ?1",
        [B],
    )
    .unwrap();
    drop(conn);

    let h = History::open(p.path()).unwrap();
    assert_eq!(
        h.show_run(A).unwrap().summary.status,
        RunStatus::Interrupted
    );
    assert_eq!(
        h.show_run(B).unwrap().summary.status,
        RunStatus::Interrupted
    );
    assert_eq!(
        h.show_run(C).unwrap().summary.status,
        RunStatus::Running,
        "its forge (this test) is alive"
    );
    drop(h);
    let out = p
        .forge(&["runs", "show", A, "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let run = json_of(&out);
    assert_eq!(run["status"], "interrupted");
    assert!(
        run["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("process {dead_pid} is gone")),
        "{run}"
    );
    assert_eq!(
        run["iterations"].as_array().unwrap().len(),
        1,
        "recorded work is kept"
    );
}

#[test]
fn two_writers_at_once_both_succeed() {
    let p = Project::new();
    let root = p.path().to_path_buf();
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let root = root.clone();
            std::thread::spawn(move || -> Result<(), HistoryError> {
                let h = History::open(&root)?;
                for i in 0..25 {
                    let id = format!("01JW{w}{i:021}");
                    h.start_run(&new_run(&id, "slugify", "2026-11-21T10:00:00.000Z"))?;
                    for n in 1..=3 {
                        h.record_model_call(&id, n, &model_call())?;
                        h.record_iteration(&id, &iteration(n, 0.5))?;
                    }
                }
                Ok(())
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap().unwrap();
    }
    let out = p
        .forge(&["runs", "list", "--limit", "1000", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let runs = json_of(&out);
    assert_eq!(runs.as_array().unwrap().len(), 50);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["iterations"] == 3)
    );
}
