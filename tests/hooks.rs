//! forge as a commit gate (SPEC §12): the repository's `.pre-commit-hooks.yaml` run by the real
//! `pre-commit` framework, and the plain hook `forge hook install` writes, each blocking a
//! `git commit` while a contract fails and letting it through once fixed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::Project;

/// `pre-commit` on PATH; in CI (CI=true) its absence fails the test, elsewhere it is skipped.
fn pre_commit_available() -> bool {
    let found = Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("pre-commit is not installed (pip install pre-commit; .ci/run does it)");
        }
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
    }
    found
}

/// PATH with the forge under test first, as a developer's shell would have it.
fn path_with_forge() -> String {
    let bin = assert_cmd::cargo::cargo_bin("forge");
    let dir = bin.parent().unwrap().display().to_string();
    format!("{dir}:{}", std::env::var("PATH").unwrap_or_default())
}

/// A git repository with a contract that passes only when src/a.txt says "good".
fn repo() -> Project {
    let p = Project::new();
    p.file("src/a.txt", "bad\n");
    p.file(
        "contracts/t.yaml",
        "version: 1\nname: t\ntask: say good\nfiles:\n  - src/a.txt\nvalidators:\n  - name: good\n    run: grep -q good src/a.txt\n",
    );
    git(&p, p.path(), &["init", "-q"]);
    git(&p, p.path(), &["config", "user.email", "dev@example.com"]);
    git(&p, p.path(), &["config", "user.name", "Dev"]);
    p
}

fn git(p: &Project, dir: &Path, args: &[&str]) -> Output {
    let out = run(p, Command::new("git").args(args).current_dir(dir));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A command with the test's private HOME/XDG dirs and the forge under test on PATH.
fn run(p: &Project, cmd: &mut Command) -> Output {
    cmd.env("HOME", p.config_home.path())
        .env("XDG_CONFIG_HOME", p.config_home.path())
        .env("PRE_COMMIT_HOME", p.config_home.path().join("pre-commit"))
        .env("PATH", path_with_forge())
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap()
}

/// `git add -A && git commit`: whether the commit was made, and its output.
fn commit(p: &Project, message: &str) -> (bool, String) {
    git(p, p.path(), &["add", "-A"]);
    let out = run(
        p,
        Command::new("git")
            .args(["commit", "-q", "-m", message])
            .current_dir(p.path()),
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn commits(p: &Project) -> usize {
    let out = run(
        p,
        Command::new("git")
            .args(["rev-list", "--count", "HEAD"])
            .current_dir(p.path()),
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// A git repository holding this crate's `.pre-commit-hooks.yaml`, as pre-commit fetches a
/// hooks repository; returns its path and commit.
fn hooks_repo(p: &Project) -> (PathBuf, String) {
    let dir = p.config_home.path().join("forge-hooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    git(p, &dir, &["init", "-q"]);
    git(p, &dir, &["add", "-A"]);
    git(
        p,
        &dir,
        &[
            "-c",
            "user.email=h@example.com",
            "-c",
            "user.name=H",
            "commit",
            "-q",
            "-m",
            "hooks",
        ],
    );
    let sha = git(p, &dir, &["rev-parse", "HEAD"]);
    (dir, String::from_utf8_lossy(&sha.stdout).trim().to_string())
}

#[test]
fn pre_commit_framework_blocks_a_failing_contract_and_a_bad_pack() {
    if !pre_commit_available() {
        return;
    }
    let p = repo();
    // A signed pack to guard, made by a real run against the fake model.
    let llm = support::fake_llm::FakeLlm::start(support::fake_llm::Provider::Openai);
    llm.push_files(&[("src/a.txt", "good\n")]);
    p.forge_with_llm(
        &llm,
        &["--quiet", "converge", "contracts/t.yaml", "--no-apply"],
    )
    .assert()
    .code(0);
    let runs = std::fs::read_dir(p.join(".forge/runs")).unwrap();
    let run_dir = runs.flatten().next().unwrap().path();
    std::fs::create_dir_all(p.join("evidence")).unwrap();
    std::fs::copy(run_dir.join("evidence.json"), p.join("evidence/run.json")).unwrap();

    let (hooks, rev) = hooks_repo(&p);
    p.file(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: forge-check\n        args: [contracts/t.yaml]\n      - id: forge-verify\n        args: [evidence/run.json]\n",
            hooks.display()
        ),
    );
    let out = run(
        &p,
        Command::new("pre-commit")
            .arg("install")
            .current_dir(p.path()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (made, text) = commit(&p, "bad");
    assert!(!made, "a failing contract blocks the commit:\n{text}");
    assert!(
        text.contains("forge check") && text.contains("Failed"),
        "{text}"
    );
    assert_eq!(commits(&p), 0);

    p.file("src/a.txt", "good\n");
    let (made, text) = commit(&p, "fixed");
    assert!(made, "the fixed tree commits:\n{text}");
    assert_eq!(commits(&p), 1);

    // An altered pack is blocked by forge-verify.
    let pack = p.read("evidence/run.json");
    let altered = pack.replacen("\"converged\"", "\"stagnated\"", 1);
    assert_ne!(pack, altered);
    std::fs::write(p.join("evidence/run.json"), altered).unwrap();
    let (made, text) = commit(&p, "altered pack");
    assert!(!made, "{text}");
    assert!(text.contains("forge evidence verify"), "{text}");
    assert_eq!(commits(&p), 1);
}

#[test]
fn forge_hook_install_blocks_a_failing_contract() {
    let p = repo();
    let forge = |args: &[&str]| {
        run(
            &p,
            Command::new(assert_cmd::cargo::cargo_bin("forge"))
                .args(args)
                .current_dir(p.path()),
        )
    };
    let out = forge(&["hook", "install"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hook = p.join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("'contracts/t.yaml'"), "{script}");

    let (made, text) = commit(&p, "bad");
    assert!(!made, "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert_eq!(commits(&p), 0);
    p.file("src/a.txt", "good\n");
    let (made, text) = commit(&p, "good");
    assert!(made, "{text}");
    assert_eq!(commits(&p), 1);

    // Reinstalling over forge's own hook is fine.
    let out = forge(&["hook", "install", "contracts/t.yaml"]);
    assert!(out.status.success());
}

#[test]
fn forge_hook_install_never_replaces_a_foreign_hook_without_force() {
    let p = repo();
    let hook = p.join(".git/hooks/pre-commit");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let forge = |args: &[&str]| {
        run(
            &p,
            Command::new(assert_cmd::cargo::cargo_bin("forge"))
                .args(args)
                .current_dir(p.path()),
        )
    };
    let out = forge(&["hook", "install"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );

    let out = forge(&["hook", "install", "--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("forge check")
    );
    assert_eq!(
        std::fs::read_to_string(hook.with_file_name("pre-commit.bak")).unwrap(),
        "#!/bin/sh\necho mine\n"
    );

    // Outside a repository there is nothing to install into.
    let outside = Project::new();
    let out = outside
        .forge(&["hook", "install", "x.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
