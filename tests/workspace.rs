//! The private workspace on real folders: what is copied, linked and left out, what changed,
//! and writing back atomically with conflict detection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use forge::edits::RelPath;
use forge::workspace::{ApplyBack, Workspace};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn rel(s: &str) -> RelPath {
    RelPath::normalise(s).unwrap()
}

fn any(_: &Path) -> bool {
    true
}

/// A small project: sources, a .gitignore, a .git and .forge folder, a script.
fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "src/app.py", "print('app')\n");
    write(r, "tests/test_app.py", "import unittest\n");
    write(r, ".gitignore", "*.log\nbuild/\n");
    write(r, "debug.log", "noise\n");
    write(r, "build/out.bin", "bin\n");
    write(r, ".git/HEAD", "ref: refs/heads/main\n");
    write(r, ".forge/history.db", "db\n");
    write(r, ".env.example", "KEY=\n");
    write(r, "run.sh", "#!/bin/sh\necho hi\n");
    std::fs::set_permissions(r.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    d
}

#[test]
fn copy_honours_gitignore_and_leaves_out_git_and_forge() {
    let root = project();
    let ws = Workspace::create(root.path()).unwrap();
    let w = ws.path();
    assert_eq!(
        std::fs::read_to_string(w.join("src/app.py")).unwrap(),
        "print('app')\n"
    );
    assert!(w.join("tests/test_app.py").is_file());
    assert!(w.join(".gitignore").is_file());
    assert!(w.join(".env.example").is_file(), "hidden files are copied");
    assert!(!w.join("debug.log").exists(), "ignored by *.log");
    assert!(!w.join("build").exists(), "ignored by build/");
    assert!(!w.join(".git").exists());
    assert!(!w.join(".forge").exists());
    assert!(ws.snapshot().get(&rel("src/app.py")).is_some());
    assert!(ws.snapshot().get(&rel("debug.log")).is_none());
}

#[test]
fn copy_keeps_permissions_and_symlinks() {
    let root = project();
    std::os::unix::fs::symlink("app.py", root.path().join("src/link.py")).unwrap();
    let ws = Workspace::create(root.path()).unwrap();
    assert_eq!(mode(&ws.path().join("run.sh")), 0o755);
    let link = ws.path().join("src/link.py");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("app.py"));
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "print('app')\n");
}

#[test]
fn heavy_folders_are_linked_not_copied_even_when_ignored() {
    let root = project();
    let r = root.path();
    write(r, ".gitignore", "node_modules/\n.venv/\n");
    write(r, "node_modules/left-pad/index.js", "module.exports = 1;\n");
    write(r, ".venv/pyvenv.cfg", "home = /usr/bin\n");
    write(r, "web/node_modules/x/index.js", "x\n");
    let ws = Workspace::create(r).unwrap();
    for dir in ["node_modules", ".venv", "web/node_modules"] {
        let p = ws.path().join(dir);
        let meta = std::fs::symlink_metadata(&p).unwrap();
        assert!(meta.file_type().is_symlink(), "{dir} should be a symlink");
        assert_eq!(
            std::fs::read_link(&p).unwrap(),
            r.canonicalize().unwrap().join(dir)
        );
    }
    assert!(ws.path().join("node_modules/left-pad/index.js").is_file());
    let linked: Vec<&str> = ws.linked().iter().map(RelPath::as_str).collect();
    assert_eq!(linked.len(), 3, "{linked:?}");
    assert!(
        ws.snapshot()
            .paths()
            .all(|p| !p.as_str().contains("node_modules"))
    );
}

#[test]
fn rust_target_is_neither_copied_nor_linked_but_shared_through_env() {
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    write(r, "Cargo.toml", "[package]\nname = \"x\"\n");
    write(r, "src/lib.rs", "\n");
    write(r, "target/debug/big.rlib", "big\n");
    let ws = Workspace::create(r).unwrap();
    assert!(std::fs::symlink_metadata(ws.path().join("target")).is_err());
    let env = ws.env();
    let target = env
        .iter()
        .find(|(k, _)| k == "CARGO_TARGET_DIR")
        .map(|(_, v)| v.clone())
        .unwrap();
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        assert_eq!(Path::new(&target), r.canonicalize().unwrap().join("target"));
    }
}

#[test]
fn a_fork_starts_from_the_workspace_and_changes_apart_from_it() {
    let d = project();
    let ws = Workspace::create(d.path()).unwrap();
    write(ws.path(), "src/app.py", "print('iteration 1')\n");
    let a = ws.fork().unwrap();
    let b = ws.fork().unwrap();
    assert_ne!(a.path(), b.path());
    assert_eq!(
        std::fs::read_to_string(a.path().join("src/app.py")).unwrap(),
        "print('iteration 1')\n",
        "a fork holds the workspace as it stands"
    );
    write(a.path(), "src/app.py", "print('candidate a')\n");
    write(b.path(), "src/new.py", "x = 1\n");
    assert_eq!(
        std::fs::read_to_string(ws.path().join("src/app.py")).unwrap(),
        "print('iteration 1')\n",
        "a candidate's edit stays in its fork"
    );
    assert!(!a.path().join("src/new.py").exists());
    // Each is compared with the root as it was copied, not with the workspace it came from.
    assert_eq!(a.changed_files(&any).unwrap(), vec![rel("src/app.py")]);
    assert_eq!(
        b.changed_files(&any).unwrap(),
        vec![rel("src/app.py"), rel("src/new.py")]
    );
    assert!(!a.path().join(".git").exists() && !a.path().join(".forge").exists());
}

#[test]
fn changed_files_are_the_allowed_ones_that_differ_or_are_new() {
    let root = project();
    let ws = Workspace::create(root.path()).unwrap();
    let w = ws.path();
    write(w, "src/app.py", "print('changed')\n");
    write(w, "src/new.py", "x = 1\n");
    write(w, "tests/test_app.py", "changed but not allowed\n");
    write(w, "src/__pycache__/app.pyc", "cache\n");
    std::fs::set_permissions(w.join("run.sh"), std::fs::Permissions::from_mode(0o700)).unwrap();
    let allowed = |p: &Path| p.extension().is_some_and(|e| e == "py") && p.starts_with("src");
    let changed = ws.changed_files(&allowed).unwrap();
    assert_eq!(changed, vec![rel("src/app.py"), rel("src/new.py")]);
}

#[test]
fn apply_back_writes_changed_files_and_keeps_modes() {
    let root = project();
    let r = root.path();
    let ws = Workspace::create(r).unwrap();
    write(ws.path(), "run.sh", "#!/bin/sh\necho bye\n");
    write(ws.path(), "src/pkg/new.py", "NEW = 1\n");
    std::fs::set_permissions(
        ws.path().join("src/pkg/new.py"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let files = ws.changed_files(&any).unwrap();
    assert_eq!(files, vec![rel("run.sh"), rel("src/pkg/new.py")]);
    let outcome = ws.apply_back(r, &files).unwrap();
    assert_eq!(
        outcome,
        ApplyBack::Written {
            paths: files.clone()
        }
    );
    assert_eq!(
        std::fs::read_to_string(r.join("run.sh")).unwrap(),
        "#!/bin/sh\necho bye\n"
    );
    assert_eq!(mode(&r.join("run.sh")), 0o755);
    assert_eq!(
        std::fs::read_to_string(r.join("src/pkg/new.py")).unwrap(),
        "NEW = 1\n"
    );
    assert_eq!(mode(&r.join("src/pkg/new.py")), 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(r)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".forge-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left behind");
}

#[test]
fn apply_back_replaces_by_rename_so_open_readers_keep_the_old_file() {
    let root = project();
    let r = root.path();
    let ws = Workspace::create(r).unwrap();
    let before = std::fs::metadata(r.join("src/app.py")).unwrap();
    write(ws.path(), "src/app.py", "print('new')\n");
    ws.apply_back(r, &[rel("src/app.py")]).unwrap();
    use std::os::unix::fs::MetadataExt;
    let after = std::fs::metadata(r.join("src/app.py")).unwrap();
    assert_ne!(
        before.ino(),
        after.ino(),
        "a new inode: written aside, then renamed"
    );
}

#[test]
fn a_file_changed_in_the_root_during_the_run_is_a_conflict_and_nothing_is_written() {
    let root = project();
    let r = root.path();
    let ws = Workspace::create(r).unwrap();
    write(ws.path(), "src/app.py", "print('model')\n");
    write(ws.path(), "src/made.py", "m\n");
    write(ws.path(), "tests/test_app.py", "model test\n");
    write(r, "src/app.py", "print('user')\n");
    write(r, "src/made.py", "user made it too\n");
    let files = vec![
        rel("src/app.py"),
        rel("src/made.py"),
        rel("tests/test_app.py"),
    ];
    let outcome = ws.apply_back(r, &files).unwrap();
    assert_eq!(
        outcome,
        ApplyBack::Conflict {
            paths: vec![rel("src/app.py"), rel("src/made.py")]
        }
    );
    assert_eq!(
        std::fs::read_to_string(r.join("src/app.py")).unwrap(),
        "print('user')\n"
    );
    assert_eq!(
        std::fs::read_to_string(r.join("src/made.py")).unwrap(),
        "user made it too\n"
    );
    assert_eq!(
        std::fs::read_to_string(r.join("tests/test_app.py")).unwrap(),
        "import unittest\n",
        "the unconflicted file is not written either"
    );
}

#[test]
fn a_file_deleted_in_the_root_during_the_run_is_a_conflict() {
    let root = project();
    let r = root.path();
    let ws = Workspace::create(r).unwrap();
    write(ws.path(), "src/app.py", "print('model')\n");
    std::fs::remove_file(r.join("src/app.py")).unwrap();
    let outcome = ws.apply_back(r, &[rel("src/app.py")]).unwrap();
    assert_eq!(
        outcome,
        ApplyBack::Conflict {
            paths: vec![rel("src/app.py")]
        }
    );
    assert!(!r.join("src/app.py").exists());
}

#[test]
fn best_attempt_is_kept_as_bytes_and_symlinks_are_not_followed() {
    let root = project();
    let ws = Workspace::create(root.path()).unwrap();
    write(ws.path(), "src/app.py", "best\n");
    let best = ws.read_files(&[rel("src/app.py")]).unwrap();
    write(ws.path(), "src/app.py", "worse\n");
    assert_eq!(best, vec![(rel("src/app.py"), b"best\n".to_vec())]);

    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "do not copy").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), ws.path().join("src/link.py"))
        .unwrap();
    let err = ws.read_files(&[rel("src/link.py")]).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[test]
fn dropping_the_workspace_removes_it() {
    let root = project();
    let ws = Workspace::create(root.path()).unwrap();
    let path = ws.path().to_path_buf();
    assert!(path.is_dir());
    drop(ws);
    assert!(!path.exists());
    assert!(root.path().join("src/app.py").is_file());
}

#[test]
fn copy_works_on_a_real_git_repository_too() {
    let root = project();
    let r = root.path();
    std::fs::remove_dir_all(r.join(".git")).unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(r)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "git init failed");
    let ws = Workspace::create(r).unwrap();
    assert!(ws.path().join("src/app.py").is_file());
    assert!(!ws.path().join("debug.log").exists());
    assert!(!ws.path().join(".git").exists());
}

#[test]
fn edits_cannot_reach_the_root_through_linked_heavy_folders() {
    let root = project();
    let r = root.path();
    write(r, "node_modules/dep/index.js", "original\n");
    let ws = Workspace::create(r).unwrap();
    let answer = "### FILE: node_modules/dep/index.js\n```js\nhacked\n```\n\
### FILE: src/app.py\n```python\nprint('edited')\n```\n";
    let report = forge::edits::apply(ws.path(), &forge::edits::parse(answer), &any);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(
        report.refused[0].reason,
        "symlink leads outside the workspace"
    );
    assert_eq!(
        std::fs::read_to_string(r.join("node_modules/dep/index.js")).unwrap(),
        "original\n"
    );
    assert_eq!(ws.changed_files(&any).unwrap(), vec![rel("src/app.py")]);
    assert_eq!(
        std::fs::read_to_string(r.join("src/app.py")).unwrap(),
        "print('app')\n"
    );
}
