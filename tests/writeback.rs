//! Write-back is all or nothing, also across a crash (SPEC §12): a real `forge converge` is
//! SIGKILLed at many points of a 300-file write-back, and after the next forge invocation the
//! tree holds every old file or every new one, with no journal or temp file left. In-tree
//! symlinks listed in `files` are written through.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

const FILES: usize = 300;
const CONTRACT: &str = "contracts/many.yaml";

fn name(i: usize) -> String {
    format!("src/f{i:03}.txt")
}

fn old_text(i: usize) -> String {
    format!("old {i}\n")
}

fn new_text(i: usize) -> String {
    format!("new {i}\n")
}

fn reset(p: &Project) {
    for i in 0..FILES {
        p.file(&name(i), &old_text(i));
    }
}

fn many_files_project() -> Project {
    let p = Project::new();
    reset(&p);
    p.file(
        CONTRACT,
        "version: 1\nname: many\ntask: rewrite every file\nfiles:\n  - src/*.txt\nroot: ..\nvalidators:\n  - name: last\n    run: grep -q new src/f299.txt\nevidence:\n  synthesis: template\n",
    );
    p
}

/// "old", "new", or the mix found (the failure this test exists to catch).
fn tree_state(p: &Project) -> String {
    let (mut old, mut new) = (0, 0);
    for i in 0..FILES {
        let text = p.read(&name(i));
        if text == old_text(i) {
            old += 1;
        } else if text == new_text(i) {
            new += 1;
        } else {
            panic!("{} holds neither version: {text:?}", name(i));
        }
    }
    match (old, new) {
        (_, 0) => "old".into(),
        (0, _) => "new".into(),
        _ => format!("{new} new and {old} old"),
    }
}

/// Every path below `dir` whose name marks it as forge's temp or journal file.
fn leftovers(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".forge-tmp-") {
            out.push(path.display().to_string());
        }
        if path.is_dir() {
            out.extend(leftovers(&path));
        }
    }
    let journals = dir.join(".forge/writeback");
    if let Ok(entries) = std::fs::read_dir(&journals) {
        out.extend(entries.flatten().map(|e| e.path().display().to_string()));
    }
    out
}

/// Points of a 300-file write-back: 0 = journal written, 1..=300 files staged, 301 = committed,
/// 302..=601 renames done. A kill "at K" happens right after step K.
const KILL_POINTS: [u64; 24] = [
    0, 1, 2, 37, 150, 298, 299, 300, 301, 302, 303, 304, 333, 400, 451, 500, 555, 590, 598, 599,
    600, 601, 450, 120,
];

#[test]
fn killed_write_back_is_all_old_or_all_new_after_the_next_forge() {
    let p = many_files_project();
    let llm = FakeLlm::start(Provider::Openai);
    let names: Vec<String> = (0..FILES).map(name).collect();
    let texts: Vec<String> = (0..FILES).map(new_text).collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(String::as_str)
        .zip(texts.iter().map(String::as_str))
        .collect();
    let mut seen = Vec::new();
    for kill_at in KILL_POINTS {
        reset(&p);
        llm.push_files(&files);
        let mut cmd = p.command_with_llm(&llm, &["--quiet", "converge", CONTRACT]);
        cmd.env("FORGE_TEST_WRITEBACK_KILL_AT", kill_at.to_string());
        let out = cmd.output().expect("run forge");
        let status = out.status;
        assert_eq!(
            status.signal(),
            Some(9),
            "forge was SIGKILLed at step {kill_at} (status {status:?}): {}",
            String::from_utf8_lossy(&out.stderr)
        );

        // Any forge command that opens the history settles the interrupted write-back.
        let out = p
            .forge(&["runs", "list"])
            .output()
            .expect("forge runs list");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let state = tree_state(&p);
        assert!(
            state == "old" || state == "new",
            "killed at step {kill_at}: the tree holds {state}"
        );
        let expected = if kill_at <= 300 { "old" } else { "new" };
        assert_eq!(state, expected, "killed at step {kill_at}");
        let left = leftovers(p.path());
        assert!(left.is_empty(), "killed at {kill_at}, left: {left:?}");
        seen.push(state);
    }
    assert!(seen.contains(&"old".to_string()) && seen.contains(&"new".to_string()));

    // Without the hook the same run writes everything back and exits 0.
    reset(&p);
    llm.push_files(&files);
    p.forge_with_llm(&llm, &["--quiet", "converge", CONTRACT])
        .assert()
        .code(0);
    assert_eq!(tree_state(&p), "new");
    assert!(leftovers(p.path()).is_empty());
}

#[test]
fn an_in_tree_symlink_in_files_is_written_through() {
    let p = Project::new();
    p.file("src/real.txt", "todo\n");
    std::os::unix::fs::symlink("real.txt", p.join("src/link.txt")).unwrap();
    p.file(
        CONTRACT,
        "version: 1\nname: link\ntask: say done\nfiles:\n  - src/link.txt\nroot: ..\nvalidators:\n  - name: done\n    run: grep -q done src/real.txt\nevidence:\n  synthesis: template\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/link.txt", "done\n")]);
    p.forge_with_llm(&llm, &["--quiet", "converge", CONTRACT])
        .assert()
        .code(0);
    let meta = std::fs::symlink_metadata(p.join("src/link.txt")).unwrap();
    assert!(meta.file_type().is_symlink(), "the link is still a link");
    assert_eq!(
        std::fs::read_link(p.join("src/link.txt")).unwrap(),
        Path::new("real.txt")
    );
    assert_eq!(p.read("src/real.txt"), "done\n");
}

#[test]
fn a_symlink_leading_out_of_the_root_is_not_written_through() {
    let p = Project::new();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim.txt");
    std::fs::write(&target, "untouched\n").unwrap();
    std::fs::create_dir_all(p.join("src")).unwrap();
    std::os::unix::fs::symlink(&target, p.join("src/link.txt")).unwrap();
    p.file(
        CONTRACT,
        "version: 1\nname: link\ntask: say done\nfiles:\n  - src/link.txt\nroot: ..\nvalidators:\n  - name: ok\n    run: 'true'\nevidence:\n  synthesis: template\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/link.txt", "done\n")]);
    let out = p
        .forge_with_llm(&llm, &["converge", CONTRACT])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched\n");
}

#[test]
fn orphans_left_by_older_killed_write_backs_are_removed() {
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    let stale = p.file("src/.forge-tmp-Ab12Cd", "half of an old write\n");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let young = p.file(
        "src/.forge-tmp-Young1",
        "another forge's write in progress\n",
    );
    p.file(
        CONTRACT,
        "version: 1\nname: t\ntask: say done\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: done\n    run: grep -q done src/a.txt\nevidence:\n  synthesis: template\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    p.forge_with_llm(&llm, &["--quiet", "converge", CONTRACT])
        .assert()
        .code(0);
    assert_eq!(p.read("src/a.txt"), "done\n");
    assert!(!stale.exists(), "the stale orphan is removed");
    assert!(
        young.exists(),
        "a young temp file may belong to a live forge"
    );
}
