//! A new user's first hour: every unknown key at once, globs that match nothing, commands run
//! from a subfolder, abbreviated run ids, and `--json` where it was ignored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::history::{History, RunStatus};
use support::Project;
use support::records::{KEY_BYTES, key, record_run, write_signed_pack};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn lint_reports_every_unknown_key_with_its_place() {
    let p = Project::new();
    p.file(
        "c.yaml",
        "version: 1\nnmae: x\nname: y\ntask: t\nfiles: [a]\nroot: .\nvalidators:\n  - name: v\n    rn: 'true'\n    run: 'true'\n  - name: w\n    run: 'true'\n    wieght: 2\nlimits:\n  max_iter: 3\nllm:\n  temprature: 1\n",
    );
    let out = p.forge(&["contract", "lint", "c.yaml"]).output().unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("c.yaml has 5 problems"), "{stderr}");
    for (at, key, meant) in [
        ("c.yaml:2:1", "nmae", "name"),
        ("c.yaml:9:5", "rn", "run"),
        ("c.yaml:13:5", "wieght", "weight"),
        ("c.yaml:15:3", "max_iter", "max_iterations"),
        ("c.yaml:17:3", "temprature", "temperature"),
    ] {
        assert!(
            stderr.contains(&format!("{at}: unknown key `{key}`")),
            "{key}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("did you mean `{meant}`?")),
            "{stderr}"
        );
    }
    let json = p
        .forge(&["--json", "contract", "lint", "c.yaml"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 5, "{v}");
}

#[test]
fn globs_that_match_nothing_are_warnings_in_lint_and_check() {
    let p = Project::new();
    p.file("src/a.py", "x = 1\n");
    p.file("tests/test_a.py", "");
    p.file(
        "c.yaml",
        "version: 1\nname: g\ntask: t\nfiles: [src/a.py, src/new.py, 'lib/*.py']\ncontext: ['test/*.py', 'tests/*.py', missing.md]\nroot: .\nvalidators:\n  - name: v\n    run: 'true'\n",
    );
    for args in [vec!["contract", "lint", "c.yaml"], vec!["check", "c.yaml"]] {
        let out = p.forge(&args).output().unwrap();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        for warned in [
            "warning: `files` entry `lib/*.py` matches no file",
            "warning: `context` entry `test/*.py` matches no file under the root; the model will not see it",
            "warning: `context` entry `missing.md` matches no file",
        ] {
            assert!(stderr.contains(warned), "{args:?}: {stderr}");
        }
        // A literal `files` path is a file the model may create; matching globs are fine.
        assert!(!stderr.contains("src/new.py"), "{stderr}");
        assert!(!stderr.contains("tests/*.py"), "{stderr}");
        assert_eq!(stderr.matches("warning:").count(), 3, "{stderr}");
    }
    // check's JSON object has the spec's fields only: its warnings stay on stderr.
    let checked = p.forge(&["--json", "check", "c.yaml"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&checked.stdout).unwrap();
    assert!(v.get("warnings").is_none(), "{v}");
    assert_eq!(stderr_of(&checked).matches("warning:").count(), 3);
    let quiet = p.forge(&["-q", "check", "c.yaml"]).output().unwrap();
    assert!(stderr_of(&quiet).is_empty());
    let json = p
        .forge(&["--json", "contract", "lint", "c.yaml"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(v["warnings"][0]["pattern"], "lib/*.py");
}

fn project_with_history() -> Project {
    let p = Project::new();
    std::fs::create_dir(p.join(".git")).unwrap();
    std::fs::create_dir_all(p.join("deep/er")).unwrap();
    let h = History::open(p.path()).unwrap();
    for (id, started) in [
        ("01JAAAA00000000000000000AA", "2026-11-21T10:00:00.000Z"),
        ("01JAAAB00000000000000000BB", "2026-11-21T10:01:00.000Z"),
        ("01JBCDE00000000000000000CC", "2026-11-21T10:02:00.000Z"),
    ] {
        record_run(&h, id, "c", started, RunStatus::Converged, 1);
    }
    write_signed_pack(p.path(), "01JBCDE00000000000000000CC", &key(KEY_BYTES));
    p
}

#[test]
fn runs_and_evidence_work_from_a_subfolder_and_take_unique_prefixes() {
    let p = project_with_history();
    let sub = p.join("deep/er");
    let list = p
        .forge(&["runs", "list"])
        .current_dir(&sub)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{}", stderr_of(&list));
    assert_eq!(listed.matches("01J").count(), 3, "{listed}");

    for prefix in ["01JBC", "01jbcde", "01JBCDE00000000000000000CC"] {
        let show = p
            .forge(&["runs", "show", prefix])
            .current_dir(&sub)
            .output()
            .unwrap();
        let shown = String::from_utf8_lossy(&show.stdout);
        assert!(show.status.success(), "{prefix}: {}", stderr_of(&show));
        assert!(
            shown.starts_with("Run 01JBCDE00000000000000000CC"),
            "{shown}"
        );
    }
    let shown = p
        .forge(&["--json", "runs", "show", "01JBC"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert_eq!(text.matches("\"iterations\"").count(), 1, "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["iterations"].as_array().unwrap().len(), 1, "{text}");
    let ev = p
        .forge(&["--json", "evidence", "show", "01JBC"])
        .current_dir(&sub)
        .output()
        .unwrap();
    assert!(ev.status.success(), "{}", stderr_of(&ev));
    let pack: serde_json::Value = serde_json::from_slice(&ev.stdout).expect("pack JSON");
    assert_eq!(pack["metadata"]["run_id"], "01JBCDE00000000000000000CC");

    let ambiguous = p.forge(&["runs", "show", "01JAA"]).output().unwrap();
    let why = stderr_of(&ambiguous);
    assert_eq!(ambiguous.status.code(), Some(2), "{why}");
    assert!(why.contains("run id `01JAA` is ambiguous"), "{why}");
    assert!(why.contains("01JAAAA00000000000000000AA"), "{why}");
    assert!(why.contains("01JAAAB00000000000000000BB"), "{why}");

    let unknown = p.forge(&["runs", "show", "01JZZ"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr_of(&unknown).contains("no run with id `01JZZ`"));
}

#[test]
fn init_in_a_subfolder_writes_to_the_project_and_speaks_json() {
    let p = Project::new();
    std::fs::create_dir(p.join(".git")).unwrap();
    std::fs::create_dir_all(p.join("src/pkg")).unwrap();
    let out = p
        .forge(&["--json", "init", "--template", "rust", "sizes"])
        .current_dir(p.join("src/pkg"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("init JSON");
    let written = p.join("contracts/sizes.yaml");
    assert!(written.is_file());
    assert!(!p.join("src/pkg/contracts").exists());
    assert_eq!(
        v["contract"].as_str().unwrap(),
        written.canonicalize().unwrap().display().to_string()
    );
    assert_eq!(v["template"], "rust");
    // The module the model writes is declared by a file it may change, so it is compiled.
    let text = p.read("contracts/sizes.yaml");
    let files = &text[text.find("files:").unwrap()..text.find("context:").unwrap()];
    assert!(files.contains("src/lib.rs"), "{files}");
}

#[test]
fn a_missing_or_malformed_replay_cassette_is_bad_input() {
    let p = Project::new();
    p.file("a.txt", "todo\n");
    p.file(
        "c.yaml",
        "version: 1\nname: r\ntask: t\nfiles: [a.txt]\nroot: .\nvalidators:\n  - name: v\n    run: 'true'\n",
    );
    p.file("bad.jsonl", "{\"response\": \"ok\"}\nnot json at all\n");
    for (cassette, want) in [
        ("missing.jsonl", "cannot read"),
        ("bad.jsonl", "line 2 is not a cassette exchange"),
    ] {
        let out = p
            .forge(&["converge", "c.yaml", "--replay", cassette])
            .output()
            .unwrap();
        let why = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{cassette}: {why}");
        assert!(why.contains(&format!("cassette {cassette}")), "{why}");
        assert!(why.contains(want), "{why}");
    }
}

#[test]
fn a_run_leaves_nothing_of_forge_in_git_status() {
    use support::fake_llm::{FakeLlm, Provider};
    let p = Project::new();
    p.file("a.txt", "todo\n");
    p.file(
        "c.yaml",
        "version: 1\nname: g\ntask: t\nfiles: [a.txt]\nthreshold: 1.0\nevidence:\n  synthesis: template\nvalidators:\n  - name: v\n    run: grep -q done a.txt\n",
    );
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(p.path())
            .env("HOME", p.config_home.path())
            .output()
            .expect("git");
        assert!(out.status.success(), "git {args:?}: {}", stderr_of(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "start"]);
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("a.txt", "done\n")]);
    let out = p
        .command_with_llm(&llm, &["converge", "c.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(p.join(".forge/history.db").is_file());
    // git's own view, not forge's: only the converged file changed.
    assert_eq!(git(&["status", "--porcelain"]), " M a.txt\n");
}
