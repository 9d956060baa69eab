//! A reader that goes away (`forge ... | head -1`) is a normal end for every command: no
//! panic, no message, the command's own exit status. The race is timing-dependent, so each
//! command runs many times, its stdout closed both before it writes and after one line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use support::Project;
use support::records::{KEY_BYTES, key, key_file, record_run, write_signed_pack};

const ROUNDS: usize = 12;

/// Run `args` ROUNDS times with stdout closed early; each must exit `code` with a quiet stderr.
fn closes_quietly(p: &Project, args: &[&str], code: i32) {
    for round in 0..ROUNDS {
        let mut child = p
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn forge");
        let stdout = child.stdout.take().expect("stdout");
        if round % 2 == 1 {
            // `head -1`: read one line, then go away.
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
        } else {
            drop(stdout);
        }
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(code),
            "forge {args:?} round {round}: {:?}\n{stderr}",
            out.status
        );
        assert!(stderr.is_empty(), "forge {args:?} round {round}: {stderr}");
    }
}

/// A project with a long history and one signed pack.
fn project_with_runs() -> (Project, String) {
    let p = Project::new();
    let h = forge::history::History::open(p.path()).expect("history");
    let mut last = String::new();
    for i in 0..300 {
        last = format!("01JRUN{i:020}");
        record_run(
            &h,
            &last,
            &format!("contract-{i}"),
            &format!("2026-11-21T10:{:02}:{:02}.000Z", i / 60, i % 60),
            forge::history::RunStatus::Converged,
            3,
        );
    }
    key_file(&p, "key.bin", KEY_BYTES);
    write_signed_pack(p.path(), &last, &key(KEY_BYTES));
    (p, last)
}

#[test]
fn listing_and_showing_runs_end_quietly_on_a_closed_pipe() {
    let (p, last) = project_with_runs();
    closes_quietly(&p, &["runs", "list", "--limit", "300"], 0);
    closes_quietly(&p, &["--json", "runs", "list", "--limit", "300"], 0);
    closes_quietly(&p, &["runs", "show", &last], 0);
    closes_quietly(&p, &["--json", "runs", "show", &last], 0);
}

#[test]
fn evidence_commands_end_quietly_on_a_closed_pipe() {
    let (p, last) = project_with_runs();
    let pack = format!(".forge/runs/{last}/evidence.json");
    closes_quietly(
        &p,
        &["evidence", "verify", &pack, "--key-file", "key.bin"],
        0,
    );
    closes_quietly(
        &p,
        &[
            "--json",
            "evidence",
            "verify",
            &pack,
            "--key-file",
            "key.bin",
        ],
        0,
    );
    closes_quietly(&p, &["evidence", "show", &last], 0);
    closes_quietly(&p, &["--json", "evidence", "show", &last], 0);
    closes_quietly(&p, &["evidence", "export", &last, "--format", "md"], 0);
}

#[test]
fn generated_text_ends_quietly_on_a_closed_pipe() {
    let p = Project::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        closes_quietly(&p, &["completions", shell], 0);
    }
    closes_quietly(&p, &["contract", "schema"], 0);
    closes_quietly(&p, &["--help"], 0);
    closes_quietly(&p, &["runs", "--help"], 0);
}

#[test]
fn check_and_lint_end_quietly_with_their_own_exit_status() {
    let p = Project::new();
    p.file(
        "c.yaml",
        "version: 1\nname: pipes\ntask: t\nfiles: [a.py]\nroot: .\nvalidators:\n  - name: fails\n    run: seq 1 20000; exit 1\n  - name: passes\n    run: 'true'\n",
    );
    closes_quietly(&p, &["check", "c.yaml"], 1);
    closes_quietly(&p, &["--json", "check", "c.yaml"], 1);
    closes_quietly(&p, &["contract", "lint", "c.yaml"], 0);
    closes_quietly(&p, &["--json", "contract", "lint", "c.yaml"], 0);
}
