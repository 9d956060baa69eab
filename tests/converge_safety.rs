//! `forge converge` safety and durability through the real binary and a loopback fake provider:
//! refused paths, missed edits, empty answers, SIGKILL, concurrent runs, secrets, cassettes, the
//! README's first command, and every provider.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};
use support::Project;
use support::fake_llm::{FakeLlm, Fault, Provider};

/// A contract at the project root: the model must write `done` into src/a.txt.
fn contract(name: &str, files: &[&str], run: &str, max_iterations: u32) -> String {
    let files: String = files.iter().map(|f| format!("  - {f}\n")).collect();
    format!(
        "version: 1
name: {name}
task: Write the word done into src/a.txt.
files:
{files}root: .
validators:
  - name: done
    run: |-
      {run}
    required: true
    timeout: 40s
threshold: 0.85
limits:
  max_iterations: {max_iterations}
  stagnation: 3
evidence:
  synthesis: template
"
    )
}

/// `text` (a contract) with a `sandbox:` section added.
fn with_sandbox(text: String, sandbox: &str) -> String {
    format!("{text}sandbox: {sandbox}\n")
}

/// A project with src/a.txt saying `todo` and `contract.yaml` from [`contract`].
fn project_with(files: &[&str], run: &str, max_iterations: u32) -> Project {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        "contract.yaml",
        &contract("safety", files, run, max_iterations),
    );
    p
}

const DONE: &str = "grep -q done src/a.txt";

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// `forge runs list --json` for the project's root.
fn runs_list(p: &Project) -> Vec<Value> {
    let out = p
        .forge(&["runs", "list", "--json"])
        .output()
        .expect("runs list");
    assert!(out.status.success(), "runs list: {}", text(&out.stderr));
    json(&out.stdout).as_array().cloned().expect("an array")
}

/// The only run in the project's history.
fn only_run(p: &Project) -> Value {
    let runs = runs_list(p);
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

fn run_id(run: &Value) -> String {
    run["run_id"].as_str().expect("run_id").to_string()
}

fn pack_path(root: &Path, run_id: &str) -> PathBuf {
    root.join(".forge/runs").join(run_id).join("evidence.json")
}

fn pack(root: &Path, run_id: &str) -> Value {
    let bytes = std::fs::read(pack_path(root, run_id)).expect("evidence.json");
    json(&bytes)
}

/// `forge evidence verify` on the run's pack, with the project's own key.
fn assert_pack_verifies(p: &Project, root: &Path, run_id: &str) {
    let path = pack_path(root, run_id);
    let out = p
        .forge(&[
            "evidence",
            "verify",
            path.to_str().expect("utf-8 path"),
            "--json",
        ])
        .output()
        .expect("verify");
    assert_eq!(
        out.status.code(),
        Some(0),
        "verify {run_id}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(json(&out.stdout)["valid"], true);
}

/// `forge_with_llm` as a spawnable child with piped output (for runs killed or run side by side).
fn spawnable_forge(p: &Project, llm: &FakeLlm, args: &[&str]) -> StdCommand {
    let mut cmd = p.command_with_llm(llm, args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn wait_for(path: &Path, limit: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < limit,
            "{} did not appear within {limit:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every file below `dir`, recursively (symlinks not followed).
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(files_below(&path)),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// 1. Refused paths

#[test]
fn refused_paths_are_not_written_and_are_told_to_the_model() {
    // The root is a subfolder so `../escape.txt` from it has a place to land that we can watch.
    let p = Project::new();
    let outside = tempfile::tempdir().expect("outside dir");
    let root = p.join("root");
    p.file("root/src/a.txt", "todo\n");
    p.file(
        "root/contract.yaml",
        &contract("refusals", &["src/a.txt", "link/**"], DONE, 3),
    );
    std::os::unix::fs::symlink(outside.path(), root.join("link")).expect("symlink");
    // Workspaces live here, so `../` from a workspace is watched too.
    let tmp = p.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    let abs_target = outside.path().join("abs.txt");

    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[
        ("../escape.txt", "done\n"),
        (abs_target.to_str().expect("utf-8"), "done\n"),
        ("src/not-allowed.txt", "done\n"),
        ("link/evil.txt", "done\n"),
    ]);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let out = p
        .forge_with_llm(&llm, &["converge", "root/contract.yaml"])
        .env("TMPDIR", &tmp)
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // Nothing written anywhere it was aimed.
    for path in [
        p.join("escape.txt"),
        tmp.join("escape.txt"),
        abs_target.clone(),
        root.join("src/not-allowed.txt"),
        outside.path().join("evil.txt"),
    ] {
        assert!(!path.exists(), "{} was written", path.display());
    }
    assert!(
        files_below(outside.path()).is_empty(),
        "{:?}",
        files_below(outside.path())
    );
    assert_eq!(
        std::fs::read_to_string(root.join("src/a.txt")).unwrap(),
        "done\n"
    );

    // The model heard about each refusal, with its reason.
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    let second = reqs[1].last_user_message();
    for (path, reason) in [
        ("../escape.txt", "leaves the root"),
        (abs_target.to_str().unwrap(), "absolute path"),
        ("src/not-allowed.txt", "not in `files`"),
        ("link/evil.txt", "symlink leads outside the workspace"),
    ] {
        let told = format!("`{path}`: {reason}");
        assert!(second.contains(&told), "missing {told:?} in:\n{second}");
    }
    assert!(second.contains("no usable file"), "{second}");

    // The pack lists them as refused edits of iteration 1, which scored nothing.
    let run = only_run_at(&p, &root);
    assert_eq!(run["status"], "converged");
    let pack = pack(&root, &run_id(&run));
    let first = &pack["raw_evidence"]["iterations"][0];
    assert_eq!(first["score"].as_f64(), Some(0.0));
    let edits = first["edits"].as_array().expect("edits");
    assert_eq!(edits.len(), 4, "{edits:?}");
    for e in edits {
        assert!(
            e["refused"].as_str().is_some_and(|r| !r.is_empty()),
            "not marked refused: {e}"
        );
    }
    let refused: Vec<&str> = edits.iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(refused.contains(&"link/evil.txt"), "{refused:?}");
    assert!(refused.contains(&"../escape.txt"), "{refused:?}");
}

fn only_run_at(p: &Project, root: &Path) -> Value {
    let out = p
        .forge(&[
            "--root",
            root.to_str().expect("utf-8"),
            "runs",
            "list",
            "--json",
        ])
        .output()
        .expect("runs list");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let runs = json(&out.stdout);
    let runs = runs.as_array().expect("array");
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs[0].clone()
}

// ---------------------------------------------------------------------------------------------
// 2. SEARCH/REPLACE

#[test]
fn a_missed_search_changes_nothing_and_shows_the_closest_lines() {
    let p = project_with(&["src/a.txt"], "grep -q 'status: done' src/a.txt", 3);
    p.file("src/a.txt", "line one\nstatus: todo\nline three\n");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_reply(
        "### EDIT: src/a.txt\n<<<<<<< SEARCH\nstatus: pending\n=======\nstatus: WRONG\n>>>>>>> REPLACE\n",
    );
    llm.push_reply(
        "### EDIT: src/a.txt\n<<<<<<< SEARCH\nstatus: todo\n=======\nstatus: done\n>>>>>>> REPLACE\n",
    );
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    let second = llm.requests()[1].last_user_message();
    assert!(
        second.contains("An EDIT of `src/a.txt` was not applied"),
        "{second}"
    );
    assert!(second.contains("status: pending"), "{second}");
    assert!(
        second.contains("closest lines") && second.contains("2 | status: todo"),
        "{second}"
    );
    assert!(!second.contains("status: WRONG\n```"), "{second}");

    // Only the matching edit reached the file; the missed one left no trace.
    assert_eq!(p.read("src/a.txt"), "line one\nstatus: done\nline three\n");
    let run = only_run(&p);
    assert_eq!(run["status"], "converged");
    assert_eq!(run["iterations"], 2);
    let pack = pack(p.path(), &run_id(&run));
    let iters = &pack["raw_evidence"]["iterations"];
    assert_eq!(iters[0]["score"].as_f64(), Some(0.0));
    assert_eq!(iters[0]["edits"][0]["path"], "src/a.txt");
    assert!(iters[0]["edits"][0]["refused"].is_string(), "{}", iters[0]);
    assert!(iters[1]["edits"][0]["refused"].is_null(), "{}", iters[1]);
}

// ---------------------------------------------------------------------------------------------
// 3. No usable file

#[test]
fn prose_only_answer_scores_nothing_and_is_told_so() {
    let p = project_with(&["src/a.txt"], DONE, 3);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_reply("I think you should write done into the file. Good luck!");
    llm.push_files(&[("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    let second = llm.requests()[1].last_user_message();
    assert!(
        second.contains("Your answer contained no usable file: it scored nothing"),
        "{second}"
    );
    let run = only_run(&p);
    let shown = p
        .forge(&["runs", "show", &run_id(&run), "--json"])
        .output()
        .expect("runs show");
    assert!(shown.status.success());
    let shown = json(&shown.stdout);
    let iters = shown["iterations"].as_array().expect("iterations");
    assert_eq!(iters.len(), 2);
    assert_eq!(iters[0]["score"].as_f64(), Some(0.0));
    assert_eq!(iters[1]["score"].as_f64(), Some(1.0));
    assert_eq!(shown["status"], "converged");
    assert_eq!(p.read("src/a.txt"), "done\n");
}

// ---------------------------------------------------------------------------------------------
// 4. Crash durability

#[test]
fn a_run_killed_with_sigkill_is_marked_interrupted_on_the_next_start() {
    let p = Project::new();
    let marks = tempfile::tempdir().expect("marks");
    let pid_file = marks.path().join("validator.pid");
    let marker = marks.path().join("validating");
    let slow = format!(
        "echo $$ > {} && touch {} && exec sleep 30",
        pid_file.display(),
        marker.display()
    );
    p.file("src/a.txt", "todo\n");
    // The test watches the validator's pid from outside: host PIDs, a marker folder.
    let slow_contract = contract("slow", &["src/a.txt"], &slow, 1);
    p.file("slow.yaml", &with_sandbox(slow_contract, "{mode: off}"));
    p.file("quick.yaml", &contract("quick", &["src/a.txt"], DONE, 1));
    let _orphan = support::Orphan {
        pid_file: pid_file.clone(),
    };

    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    // A SIGKILLed forge cannot remove its workspace; keep it inside the test's own temp dir.
    let mut forge: Child = spawnable_forge(&p, &llm, &["converge", "slow.yaml"])
        .env("TMPDIR", marks.path())
        .spawn()
        .expect("spawn forge");
    wait_for(&marker, Duration::from_secs(20));
    forge.kill().expect("SIGKILL forge");
    let status = forge.wait().expect("reap forge");
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );

    // Nobody has opened the history for writing yet, but its run folder is no longer locked:
    // `runs list` already shows it interrupted, with the tokens its model call spent.
    let run = only_run(&p);
    assert_eq!(run["status"], "interrupted", "{run}");
    assert!(run["tokens"].as_u64().unwrap_or(0) > 0, "{run}");
    let killed = run_id(&run);
    assert_eq!(
        p.read("src/a.txt"),
        "todo\n",
        "a killed run wrote to the root"
    );

    // The next converge on the same root finds it.
    let llm2 = FakeLlm::start(Provider::Openai);
    llm2.push_files(&[("src/a.txt", "done\n")]);
    p.forge_with_llm(&llm2, &["converge", "quick.yaml", "--no-apply"])
        .assert()
        .code(0);
    let runs = runs_list(&p);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let old = runs
        .iter()
        .find(|r| r["run_id"] == killed.as_str())
        .expect("killed run still listed");
    assert_eq!(old["status"], "interrupted", "{old}");
    let new = runs
        .iter()
        .find(|r| r["run_id"] != killed.as_str())
        .expect("second run");
    assert_eq!(new["status"], "converged");

    let db = rusqlite::Connection::open(p.join(".forge/history.db")).expect("open db");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
}

// ---------------------------------------------------------------------------------------------
// 5. Concurrent runs

#[test]
fn two_runs_at_once_on_one_root_both_finish_and_are_both_recorded() {
    let p = project_with(&["src/a.txt"], "sleep 0.5 && grep -q done src/a.txt", 2);
    let (a, b) = (
        FakeLlm::start(Provider::Openai),
        FakeLlm::start(Provider::Openai),
    );
    for llm in [&a, &b] {
        llm.push_files(&[("src/a.txt", "nope\n")]);
        llm.push_files(&[("src/a.txt", "done\n")]);
    }
    let args = ["converge", "contract.yaml", "--no-apply"];
    let first = spawnable_forge(&p, &a, &args).spawn().expect("spawn a");
    let second = spawnable_forge(&p, &b, &args).spawn().expect("spawn b");
    let outs: Vec<Output> = [first, second]
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    for o in &outs {
        assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    }
    assert_eq!(a.requests().len(), 2);
    assert_eq!(b.requests().len(), 2);

    let runs = runs_list(&p);
    assert_eq!(runs.len(), 2, "{runs:?}");
    let ids: Vec<String> = runs.iter().map(run_id).collect();
    assert_ne!(ids[0], ids[1]);
    for (run, id) in runs.iter().zip(&ids) {
        assert_eq!(run["status"], "converged");
        assert_eq!(run["iterations"], 2);
        assert_pack_verifies(&p, p.path(), id);
    }
    assert_eq!(
        p.read("src/a.txt"),
        "todo\n",
        "--no-apply wrote to the root"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Secrets

#[test]
fn secrets_reach_the_provider_and_nothing_else() {
    const API_KEY: &str = "sk-test-SECRET-123";
    const EVIDENCE_KEY: &str = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";
    let seen = tempfile::tempdir().expect("seen dir");
    let validator = format!(
        "env > env.txt && cp env.txt {}/ && grep -q done src/a.txt",
        seen.path().display()
    );
    let p = project_with(&["src/a.txt"], &validator, 3);
    let opened = format!("{{writable: [{}]}}", seen.path().display());
    let safety = contract("safety", &["src/a.txt"], &validator, 3);
    p.file("contract.yaml", &with_sandbox(safety, &opened));
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "not yet\n")]);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let cassette = p.join("cassette.jsonl");
    let out = p
        .forge_with_llm(
            &llm,
            &["converge", "contract.yaml", "--record", "cassette.jsonl"],
        )
        .env("OPENAI_API_KEY", API_KEY)
        .env("FORGE_EVIDENCE_KEY", EVIDENCE_KEY)
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));

    // The provider did get the key, so the checks below can fail for real.
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(
            r.header("authorization"),
            Some(&*format!("Bearer {API_KEY}"))
        );
    }

    let raw_key = hex::decode(EVIDENCE_KEY).expect("hex");
    let secrets: [&[u8]; 3] = [API_KEY.as_bytes(), EVIDENCE_KEY.as_bytes(), &raw_key];
    let env_txt = seen.path().join("env.txt");
    let env = std::fs::read_to_string(&env_txt).expect("the validator wrote env.txt");
    assert!(env.contains("PATH="), "not an environment dump: {env}");
    for name in ["OPENAI_API_KEY", "FORGE_EVIDENCE_KEY"] {
        assert!(!env.contains(name), "{name} reached the validator");
    }
    let mut places = files_below(&p.join(".forge"));
    assert!(
        places.iter().any(|f| f.ends_with("history.db")),
        "{places:?}"
    );
    assert!(
        places.iter().any(|f| f.ends_with("evidence.json")),
        "{places:?}"
    );
    places.push(cassette.clone());
    places.push(env_txt);
    let mut checked: Vec<(String, Vec<u8>)> = places
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read(f).expect("read")))
        .collect();
    checked.push(("stdout".into(), out.stdout.clone()));
    checked.push(("stderr".into(), out.stderr.clone()));
    for (name, bytes) in &checked {
        for s in secrets {
            assert!(
                !contains(bytes, s),
                "a secret ({}) leaked into {name}",
                String::from_utf8_lossy(&s[..4])
            );
        }
    }
    // The pack is signed with that key.
    let run = only_run(&p);
    let verify = p
        .forge(&[
            "evidence",
            "verify",
            pack_path(p.path(), &run_id(&run)).to_str().unwrap(),
        ])
        .env("FORGE_EVIDENCE_KEY", EVIDENCE_KEY)
        .output()
        .expect("verify");
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
}

// ---------------------------------------------------------------------------------------------
// 7. Record, then replay offline

#[test]
fn a_recorded_run_replays_offline_without_a_key() {
    let recorded = project_with(&["src/a.txt"], DONE, 3);
    let cassette = recorded.join("run.jsonl");
    {
        let llm = FakeLlm::start(Provider::Openai);
        llm.push_files(&[("src/a.txt", "almost\n")]);
        llm.push_files(&[("src/a.txt", "done\n")]);
        let out = recorded
            .forge_with_llm(
                &llm,
                &[
                    "converge",
                    "contract.yaml",
                    "--record",
                    cassette.to_str().unwrap(),
                ],
            )
            .output()
            .expect("record");
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    }
    let original = only_run(&recorded);
    assert_eq!(original["iterations"], 2);
    let lines = std::fs::read_to_string(&cassette).expect("cassette");
    assert_eq!(lines.lines().count(), 2, "{lines}");

    // A fresh copy, no provider, no key.
    let fresh = project_with(&["src/a.txt"], DONE, 3);
    let out = fresh
        .forge(&[
            "converge",
            "contract.yaml",
            "--replay",
            cassette.to_str().unwrap(),
        ])
        .output()
        .expect("replay");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let replayed = only_run(&fresh);
    assert_eq!(replayed["status"], original["status"]);
    assert_eq!(replayed["iterations"], original["iterations"]);
    assert_eq!(fresh.read("src/a.txt"), "done\n");

    // A cassette that runs out before the run ends.
    let short = fresh.join("short.jsonl");
    std::fs::write(&short, format!("{}\n", lines.lines().next().unwrap())).expect("short");
    let again = project_with(&["src/a.txt"], DONE, 3);
    let out = again
        .forge(&[
            "converge",
            "contract.yaml",
            "--replay",
            short.to_str().unwrap(),
        ])
        .output()
        .expect("replay short");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("short.jsonl"), "{err}");
    assert!(
        err.contains("cassette") && err.contains("exchange 2"),
        "{err}"
    );
    assert_eq!(again.read("src/a.txt"), "todo\n");
}

// ---------------------------------------------------------------------------------------------
// 8. The README's first command

/// The repository's slugify example laid out in a temp dir as in the repository.
fn slugify_example() -> Project {
    let p = Project::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for rel in [
        "contracts/slugify.yaml",
        "contracts/cassettes/slugify.jsonl",
        "examples/slugify/src/slug.py",
        "examples/slugify/tests/test_slug.py",
    ] {
        let body = std::fs::read_to_string(repo.join(rel)).expect(rel);
        p.file(rel, &body);
    }
    p
}

const README_ARGS: [&str; 5] = [
    "converge",
    "contracts/slugify.yaml",
    "--replay",
    "contracts/cassettes/slugify.jsonl",
    "--no-apply",
];

#[test]
fn the_readme_first_command_converges_offline_for_a_newcomer() {
    let p = slugify_example();
    let before = p.read("examples/slugify/src/slug.py");
    let out = p.forge(&README_ARGS).output().expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("converged"),
        "{}",
        text(&out.stderr)
    );

    let root = p.join("examples/slugify");
    let run = only_run_at(&p, &root);
    assert_eq!(run["status"], "converged");
    assert_eq!(run["iterations"], 2);
    assert_pack_verifies(&p, &root, &run_id(&run));
    assert_eq!(p.read("examples/slugify/src/slug.py"), before);
}

#[test]
fn the_readme_example_without_no_apply_writes_code_that_passes_its_tests() {
    let p = slugify_example();
    let before = p.read("examples/slugify/src/slug.py");
    let out = p.forge(&README_ARGS[..4]).output().expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let after = p.read("examples/slugify/src/slug.py");
    assert_ne!(after, before);
    assert!(after.contains("unicodedata"), "{after}");
    let tests = StdCommand::new("python3")
        .args(["-m", "unittest", "discover", "-s", "tests", "-q"])
        .current_dir(p.join("examples/slugify"))
        .output()
        .expect("python3");
    assert!(tests.status.success(), "{}", text(&tests.stderr));
}

// ---------------------------------------------------------------------------------------------
// 9. Every provider

fn converges_with(provider: Provider) {
    let p = project_with(&["src/a.txt"], DONE, 2);
    let llm = FakeLlm::start(provider);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml", "--json"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let last = text(&out.stdout);
    let last = json(last.lines().last().expect("a line").as_bytes());
    assert_eq!(last["event"], "run_finished", "{last}");
    assert_eq!(last["status"], "converged");
    assert_eq!(p.read("src/a.txt"), "done\n");
    let reqs = llm.requests();
    assert_eq!(reqs.len(), 1);
    assert!(
        reqs[0].raw.contains("Write the word done into src/a.txt."),
        "the task did not reach the provider"
    );
    let run = only_run(&p);
    let pack = pack(p.path(), &run_id(&run));
    assert_eq!(pack["metadata"]["llm"]["provider"], provider.as_str());
}

#[test]
fn anthropic_drives_a_converge_run() {
    converges_with(Provider::Anthropic);
}

#[test]
fn ollama_drives_a_converge_run() {
    converges_with(Provider::Ollama);
}

#[test]
fn a_key_the_provider_echoes_back_is_redacted_everywhere() {
    const API_KEY: &str = "sk-test-SECRET-123";
    let p = project_with(&["src/a.txt"], DONE, 3);
    let llm = FakeLlm::start(Provider::Openai);
    let body = serde_json::json!({"error": {
        "message": format!("Incorrect API key provided: {API_KEY}. Check your key."),
        "type": "invalid_request_error", "code": "invalid_api_key"}});
    llm.push(Fault::status_with_body(401, &body.to_string()));
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .env("OPENAI_API_KEY", API_KEY)
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("OPENAI_API_KEY") && err.contains("Incorrect API key provided"),
        "{err}"
    );
    assert_eq!(llm.requests().len(), 1, "a 401 is not retried");
    let mut leaked: Vec<String> = files_below(&p.join(".forge"))
        .into_iter()
        .filter(|f| contains(&std::fs::read(f).expect("read"), API_KEY.as_bytes()))
        .map(|f| f.display().to_string())
        .collect();
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if contains(bytes, API_KEY.as_bytes()) {
            leaked.push(name.into());
        }
    }
    assert!(leaked.is_empty(), "the key leaked into {leaked:?}");
    assert_eq!(only_run(&p)["status"], "error");
}

#[test]
fn a_file_symlink_in_files_that_points_outside_is_refused() {
    let p = project_with(&["src/a.txt", "out.txt"], DONE, 3);
    let outside = tempfile::tempdir().expect("outside dir");
    let target = outside.path().join("target.txt");
    std::fs::write(&target, "original\n").expect("target");
    std::os::unix::fs::symlink(&target, p.join("out.txt")).expect("symlink");
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("out.txt", "overwritten\n"), ("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(&llm, &["converge", "contract.yaml"])
        .output()
        .expect("converge");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "original\n");
    let link = std::fs::symlink_metadata(p.join("out.txt")).expect("out.txt");
    assert!(
        link.file_type().is_symlink(),
        "the root's symlink was replaced"
    );
    assert_eq!(p.read("src/a.txt"), "done\n");
    let pack = pack(p.path(), &run_id(&only_run(&p)));
    let edits = &pack["raw_evidence"]["iterations"][0]["edits"];
    let refused = edits
        .as_array()
        .expect("edits")
        .iter()
        .find(|e| e["path"] == "out.txt")
        .expect("out.txt listed");
    assert_eq!(refused["refused"], "symlink leads outside the workspace");
}

#[test]
fn ctrl_c_stops_the_validators_and_records_the_run_as_interrupted() {
    let p = Project::new();
    let marks = tempfile::tempdir().expect("marks");
    let pid_file = marks.path().join("validator.pid");
    let marker = marks.path().join("validating");
    let slow = format!(
        "echo $$ > {} && touch {} && exec sleep 30",
        pid_file.display(),
        marker.display()
    );
    p.file("src/a.txt", "todo\n");
    // The test watches the validator's pid from outside: host PIDs, a marker folder.
    let slow_contract = contract("slow", &["src/a.txt"], &slow, 1);
    p.file("slow.yaml", &with_sandbox(slow_contract, "{mode: off}"));
    let _orphan = support::Orphan {
        pid_file: pid_file.clone(),
    };
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let forge = spawnable_forge(&p, &llm, &["converge", "slow.yaml"])
        .spawn()
        .expect("spawn forge");
    wait_for(&marker, Duration::from_secs(20));
    let sent = StdCommand::new("kill")
        .args(["-INT", &forge.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let out = forge.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(130),
        "stderr: {}",
        text(&out.stderr)
    );

    // The validator's process is gone, not left sleeping.
    let pid = std::fs::read_to_string(&pid_file)
        .expect("pid")
        .trim()
        .to_string();
    let gone = |pid: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .is_some_and(|r| r.trim_start().starts_with('Z'))
        })
    };
    let start = Instant::now();
    while !gone(&pid) && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(gone(&pid), "the validator (pid {pid}) still runs");

    let run = only_run(&p);
    assert_eq!(run["status"], "interrupted", "{run}");
    assert_pack_verifies(&p, p.path(), &run_id(&run));
    assert_eq!(p.read("src/a.txt"), "todo\n");
}
