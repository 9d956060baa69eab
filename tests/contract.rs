//! `forge contract lint|schema` through the real binary: located diagnostics for every class of
//! error, root resolution, hostile input, and the JSON Schema.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::Duration;
use support::Project;

/// Exit code, stdout and stderr of `forge ARGS` in `p`.
fn forge(p: &Project, args: &[&str]) -> (i32, String, String) {
    forge_in(p, p.path(), args)
}

fn forge_in(p: &Project, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = p
        .forge(args)
        .current_dir(cwd)
        // A hang guard, not a speed assertion: hostile input must end, not loop.
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run forge");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Lint a file from tests/data/contracts copied to `c.yaml`; the exit code and stderr.
fn lint_data(contents: &str) -> (i32, String) {
    let p = Project::new();
    p.file("c.yaml", contents);
    let (code, _, err) = forge(&p, &["contract", "lint", "c.yaml"]);
    (code, err)
}

#[track_caller]
fn assert_has(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected {needle:?} in:\n{haystack}"
    );
}

#[test]
fn valid_contract_lints_ok_with_counts_and_root() {
    let p = Project::new();
    p.file("c.yaml", include_str!("data/contracts/valid.yaml"));
    let (code, out, err) = forge(&p, &["contract", "lint", "c.yaml"]);
    assert_eq!(code, 0, "{err}");
    let root = p.path().canonicalize().unwrap();
    assert_eq!(
        out.trim(),
        format!(
            "ok: c.yaml (2 validators, threshold 0.85, root {})",
            root.display()
        )
    );
}

#[test]
fn lint_json_reports_valid_and_invalid() {
    let p = Project::new();
    p.file("ok.yaml", include_str!("data/contracts/minimal.yaml"));
    p.file("bad.yaml", include_str!("data/contracts/typo_top.yaml"));
    let (code, out, _) = forge(&p, &["contract", "lint", "--json", "ok.yaml"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["diagnostics"], serde_json::json!([]));

    let (code, out, _) = forge(&p, &["contract", "lint", "--json", "bad.yaml"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(d["message"], "unknown key `threshhold`");
    assert_has(d["help"].as_str().unwrap(), "did you mean `threshold`?");
}

#[test]
fn lint_json_for_an_unreadable_file_has_an_unlocated_diagnostic() {
    let p = Project::new();
    let (code, out, _) = forge(&p, &["contract", "lint", "--json", "nope.yaml"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["diagnostics"][0]["line"].is_null());
    assert_has(
        v["diagnostics"][0]["message"].as_str().unwrap(),
        "no such file",
    );
}

#[test]
fn unknown_keys_suggest_the_right_one_at_every_level() {
    let cases = [
        (
            include_str!("data/contracts/typo_top.yaml"),
            "c.yaml:3:1: unknown key `threshhold`",
            "did you mean `threshold`?",
        ),
        (
            include_str!("data/contracts/typo_validator.yaml"),
            "c.yaml:7:5: unknown key `rn`",
            "did you mean `run`?",
        ),
        (
            include_str!("data/contracts/typo_limits.yaml"),
            "c.yaml:9:3: unknown key `max_iteration`",
            "did you mean `max_iterations`?",
        ),
        (
            include_str!("data/contracts/typo_kind.yaml"),
            "c.yaml:8:11: unknown value `unittest`",
            "did you mean `unit_test`?",
        ),
    ];
    for (yaml, message, help) in cases {
        let (code, err) = lint_data(yaml);
        assert_eq!(code, 2, "{err}");
        assert_has(&err, message);
        assert_has(&err, &format!("help: {help}"));
    }
}

#[test]
fn unknown_key_in_llm_section_and_provider_typo() {
    let base = include_str!("data/contracts/minimal.yaml");
    let (code, err) = lint_data(&format!("{base}llm:\n  modle: x\n"));
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:9:3: unknown key `modle`");
    assert_has(&err, "did you mean `model`?");
    let (code, err) = lint_data(&format!("{base}llm:\n  provider: opneai\n"));
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:9:13: unknown value `opneai`");
    assert_has(&err, "did you mean `openai`?");
}

#[test]
fn every_semantic_problem_is_reported_with_its_position() {
    let (code, err) = lint_data(include_str!("data/contracts/semantic.yaml"));
    assert_eq!(code, 2, "{err}");
    assert_has(&err, "c.yaml has 20 problems:");
    let expected = [
        "c.yaml:1:10: unsupported contract version 2",
        "c.yaml:2:7: invalid name `bad name`",
        "c.yaml:3:7: `task` is empty",
        "c.yaml:5:5: `../escape.py` leaves the root (`..`)",
        "c.yaml:6:5: `/etc/passwd` is absolute",
        "c.yaml:7:25: `src/[` is not a valid glob",
        "c.yaml:10:10: `run` is empty",
        "c.yaml:11:13: weight 0 is not greater than 0",
        "c.yaml:12:14: bad duration `30`",
        "c.yaml:13:12: unknown parser `pytes`",
        "c.yaml:14:11: duplicate validator name `tests`",
        "c.yaml:16:13: weight -1 is not greater than 0",
        "c.yaml:17:14: bad duration `5 sex`",
        "c.yaml:18:12: junit report path `../report.xml` leaves the root",
        "c.yaml:21:12: `junit:` needs the path of the XML report",
        "c.yaml:22:12: threshold 1.5 is out of range",
        "c.yaml:24:19: `max_iterations` 0 is out of range",
        "c.yaml:25:16: duration must be longer than 0",
        "c.yaml:27:16: temperature 3 is out of range",
        "c.yaml:28:13: base_url `ftp://example.com` is not an http(s) URL",
    ];
    for line in expected {
        assert_has(&err, line);
    }
    assert_has(&err, "help: did you mean `pytest`?");
    assert_has(
        &err,
        "help: first used on line 9; validator names must be unique",
    );
    assert_has(&err, "help: expected a number with 0 < threshold <= 1");
}

#[test]
fn wrong_types_and_syntax_errors_are_located() {
    let (code, err) = lint_data(include_str!("data/contracts/wrong_type.yaml"));
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:8:12: wrong type: expected a number");

    let (code, err) = lint_data(include_str!("data/contracts/syntax.yaml"));
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:4:1: ");

    let (code, err) = lint_data("version: 1\nname: x\ntask: t\nfiles: a.py\n");
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:4:8: wrong type: expected a list");

    let (code, err) = lint_data("version: 1\nversion: 1\n");
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:2:1: duplicate key `version`");
}

#[test]
fn missing_required_keys_are_all_listed() {
    let (code, err) = lint_data(include_str!("data/contracts/missing_keys.yaml"));
    assert_eq!(code, 2);
    for key in ["name", "task", "files", "validators"] {
        assert_has(&err, &format!("c.yaml:1:1: missing required key `{key}`"));
    }
    assert!(!err.contains("`version`"), "{err}");
}

#[test]
fn empty_files_and_validators_lists_are_errors() {
    let (code, err) = lint_data(include_str!("data/contracts/empty_lists.yaml"));
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:4:8: `files` is empty");
    assert_has(&err, "c.yaml:5:13: `validators` is empty");
}

#[test]
fn empty_and_comment_only_files_say_the_contract_is_empty() {
    for text in ["", "\n  \n", "# just a comment\n"] {
        let (code, err) = lint_data(text);
        assert_eq!(code, 2);
        assert_has(&err, "c.yaml:1:1: the contract is empty");
        assert_has(&err, "forge init");
    }
}

#[test]
fn missing_file_and_directory_are_clear_errors() {
    let p = Project::new();
    std::fs::create_dir(p.join("dir.yaml")).unwrap();
    let (code, _, err) = forge(&p, &["contract", "lint", "nope.yaml"]);
    assert_eq!(code, 2);
    assert_has(&err, "cannot read contract nope.yaml: no such file");
    let (code, _, err) = forge(&p, &["contract", "lint", "dir.yaml"]);
    assert_eq!(code, 2);
    assert_has(&err, "cannot read contract dir.yaml: it is a directory");
}

#[test]
fn unreadable_file_is_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    let f = p.file("c.yaml", include_str!("data/contracts/minimal.yaml"));
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(p.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = if std::fs::read(&f).is_ok() {
        // Root reads mode-000 files, so run forge as `nobody` to see what a user would see.
        let bin = assert_cmd::cargo::cargo_bin("forge");
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(["contract", "lint", "c.yaml"])
            .current_dir(p.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("setpriv runs")
    } else {
        p.forge(&["contract", "lint", "c.yaml"]).output().unwrap()
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_has(&err, "cannot read contract c.yaml: permission denied");
}

#[test]
fn binary_and_non_utf8_input_is_refused_at_the_bad_byte() {
    let p = Project::new();
    std::fs::write(p.join("latin1.yaml"), b"version: 1\nname: caf\xe9\n").unwrap();
    std::fs::write(p.join("bin.yaml"), b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    let (code, _, err) = forge(&p, &["contract", "lint", "latin1.yaml"]);
    assert_eq!(code, 2);
    assert_has(&err, "latin1.yaml:2:10: not UTF-8 text (byte 0xe9)");
    let (code, _, err) = forge(&p, &["contract", "lint", "bin.yaml"]);
    assert_eq!(code, 2);
    assert_has(
        &err,
        "bin.yaml:1:8: contains a NUL byte; this looks like a binary file",
    );
}

#[test]
fn huge_and_endless_files_are_refused_without_reading_them() {
    let p = Project::new();
    let big = std::fs::File::create(p.join("big.yaml")).unwrap();
    // Sparse: 10 GiB that cost nothing to make, and would take long to read.
    big.set_len(10 * 1024 * 1024 * 1024).unwrap();
    std::os::unix::fs::symlink("/dev/zero", p.join("zero.yaml")).unwrap();
    nix::unistd::mkfifo(&p.join("fifo.yaml"), nix::sys::stat::Mode::S_IRWXU).unwrap();

    let (code, _, err) = forge(&p, &["contract", "lint", "big.yaml"]);
    assert_eq!(code, 2);
    assert_has(
        &err,
        "it is 10737418240 bytes; a contract may be at most 1048576 bytes",
    );
    for f in ["zero.yaml", "fifo.yaml"] {
        let (code, _, err) = forge(&p, &["contract", "lint", f]);
        assert_eq!(code, 2);
        assert_has(
            &err,
            &format!("cannot read contract {f}: it is not a regular file"),
        );
    }
}

#[test]
fn alias_bombs_end_with_a_clear_message() {
    let mut laughs = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let (code, err) = lint_data(&laughs);
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:1:1: unknown key `a0`");

    // Where the type allows a list of strings, a flood of aliases hits the parser's budget.
    let refs = vec!["*x"; 60_000].join(", ");
    let flood = format!(
        "version: 1\nname: x\ntask: t\nfiles: [&x a.py, {refs}]\nvalidators:\n  - name: a\n    run: b\n"
    );
    let (code, err) = lint_data(&flood);
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:4:");
    assert_has(&err, "the YAML expands beyond forge's limits");
}

/// A project with `.git` at its top and a contract two folders down.
fn git_project(contract: &str) -> Project {
    let p = Project::new();
    std::fs::create_dir(p.join(".git")).unwrap();
    p.file("a/b/c.yaml", contract);
    p
}

fn root_of(p: &Project, cwd: &Path, args: &[&str]) -> String {
    let mut all = vec!["contract", "lint", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = forge_in(p, cwd, &all);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["root"].as_str().unwrap().to_string()
}

#[test]
fn root_is_the_git_top_level_else_the_current_directory() {
    let minimal = include_str!("data/contracts/minimal.yaml");
    let p = git_project(minimal);
    let top = p.path().canonicalize().unwrap();
    let cwd = p.join("a");
    assert_eq!(root_of(&p, &cwd, &["b/c.yaml"]), top.display().to_string());

    let q = Project::new();
    q.file("a/b/c.yaml", minimal);
    let cwd = q.join("a").canonicalize().unwrap();
    assert_eq!(root_of(&q, &cwd, &["b/c.yaml"]), cwd.display().to_string());
}

#[test]
fn root_key_beats_git_and_flag_beats_root_key() {
    let minimal = include_str!("data/contracts/minimal.yaml");
    let p = git_project(&format!("{minimal}root: ..\n"));
    std::fs::create_dir(p.join("elsewhere")).unwrap();
    let a = p.join("a").canonicalize().unwrap();
    assert_eq!(
        root_of(&p, p.path(), &["a/b/c.yaml"]),
        a.display().to_string()
    );
    let flag = p.join("elsewhere").canonicalize().unwrap();
    assert_eq!(
        root_of(&p, p.path(), &["--root", "elsewhere", "a/b/c.yaml"]),
        flag.display().to_string()
    );
}

#[test]
fn missing_roots_are_errors() {
    let minimal = include_str!("data/contracts/minimal.yaml");
    let p = Project::new();
    p.file("c.yaml", &format!("{minimal}root: no/such/dir\n"));
    let (code, _, err) = forge(&p, &["contract", "lint", "c.yaml"]);
    assert_eq!(code, 2);
    assert_has(&err, "c.yaml:8:7: root `no/such/dir`");
    assert_has(&err, "no such directory");

    let (code, _, err) = forge(&p, &["--root", "gone", "contract", "lint", "c.yaml"]);
    assert_eq!(code, 2);
    assert_has(&err, "--root gone: no such directory");
}

#[test]
fn schema_is_draft_2020_12_and_closed() {
    let p = Project::new();
    let (code, out, _) = forge(&p, &["contract", "schema"]);
    assert_eq!(code, 0);
    let s: serde_json::Value = serde_json::from_str(&out).expect("schema is JSON");
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(s["type"], "object");
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(
        s["required"],
        serde_json::json!(["version", "name", "task", "files", "validators"])
    );
    assert_eq!(s["properties"]["version"]["const"], 1);
    let validator = &s["$defs"]["RawValidator"];
    assert_eq!(validator["additionalProperties"], false);
    assert_eq!(validator["required"], serde_json::json!(["name", "run"]));
    assert_eq!(
        s["$defs"]["ValidatorKind"]["enum"],
        serde_json::json!([
            "syntax",
            "unit_test",
            "type_check",
            "security",
            "performance",
            "custom"
        ])
    );
    for section in ["RawLimits", "RawLlm", "RawFallback", "RawEvidence"] {
        assert_eq!(
            s["$defs"][section]["additionalProperties"], false,
            "{section}"
        );
    }
}

#[test]
fn schema_knows_every_key_the_loader_accepts() {
    // The full example of SPEC §1 lints clean and uses only keys the schema lists.
    let p = Project::new();
    std::fs::create_dir(p.join("ws")).unwrap();
    p.file(
        "ws/contracts/full.yaml",
        "version: 1\nname: slugify\ndescription: Slug helper\ntask: |\n  Implement slugify.\n\
         files:\n  - src/slug.py\ncontext:\n  - tests/test_slug.py\nroot: ..\n\
         validators:\n  - name: tests\n    kind: unit_test\n    run: python3 -m unittest\n\
         \x20   weight: 3\n    required: true\n    timeout: 30s\n    parse: unittest\n\
         threshold: 0.85\nlimits:\n  max_iterations: 15\n  stagnation: 3\n  token_budget: 50000\n\
         \x20 run_timeout: 30m\nllm:\n  provider: openai\n  model: gpt-4o-mini\n\
         \x20 base_url: https://api.openai.com/v1\n  temperature: 0.2\n  max_output_tokens: 4096\n\
         fallback:\n  llm_review: true\nevidence:\n  synthesis: llm\n",
    );
    let (code, _, err) = forge(&p, &["contract", "lint", "ws/contracts/full.yaml"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = forge(&p, &["contract", "schema"]);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    let top: Vec<&str> = s["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for key in [
        "version",
        "name",
        "description",
        "task",
        "files",
        "context",
        "root",
        "validators",
        "threshold",
        "limits",
        "llm",
        "fallback",
        "evidence",
    ] {
        assert!(top.contains(&key), "{key} missing from {top:?}");
    }
}
