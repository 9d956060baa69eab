//! Roots a run must never take (the file system root, a home folder, system folders) are refused
//! at lint and at load; a TMPDIR inside the root is not copied into the workspace; copies left
//! by killed runs are swept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;
use support::fake_llm::{FakeLlm, Provider};

fn contract_with_root(root: &str) -> String {
    format!(
        "version: 1\nname: r\ntask: t\nfiles: [a.txt]\nroot: {root}\nvalidators:\n  - name: v\n    run: 'true'\n"
    )
}

fn refused(p: &Project, args: &[&str], home: &std::path::Path, want: &str) {
    let out = p.forge(args).env("HOME", home).output().expect("forge");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(want), "{args:?}: {stderr}");
    assert!(stderr.contains("refuses such a root"), "{args:?}: {stderr}");
}

#[test]
fn the_file_system_root_home_and_system_folders_are_refused() {
    let p = Project::new();
    let home = p.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let home_str = home.display().to_string();
    for (root, want) in [
        ("/", "the file system root"),
        ("/usr", "a system folder"),
        ("/etc/..", "the file system root"),
        (home_str.as_str(), "your home folder"),
    ] {
        p.file("c.yaml", &contract_with_root(root));
        refused(&p, &["contract", "lint", "c.yaml"], &home, want);
        refused(&p, &["check", "c.yaml"], &home, want);
    }
    p.file("c.yaml", &contract_with_root("."));
    refused(
        &p,
        &["--root", "/", "check", "c.yaml"],
        &home,
        "file system root",
    );
    p.forge(&["contract", "lint", "c.yaml"])
        .env("HOME", &home)
        .assert()
        .success();
    // A contract in the home folder itself, with no root and no git: the derived root is refused.
    std::fs::write(
        home.join("c.yaml"),
        contract_with_root(".").replace("root: .\n", ""),
    )
    .unwrap();
    let out = p
        .forge(&["contract", "lint", "c.yaml"])
        .current_dir(&home)
        .env("HOME", &home)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the current directory"), "{stderr}");
    assert!(stderr.contains("add `root:`"), "{stderr}");
}

#[test]
fn a_tmpdir_inside_the_root_is_not_copied_and_dead_runs_folders_are_swept() {
    let p = Project::new();
    p.file("a.txt", "todo\n");
    let tmp = p.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // A copy left by a killed run (pid 1 never started at that tick) and one whose owner lives.
    let dead = tmp.join("forge-workspace-1-999999999999-gone");
    std::fs::create_dir_all(dead.join("src")).unwrap();
    std::fs::write(dead.join("src/big"), "x".repeat(10_000)).unwrap();
    // And the private HOME/TMPDIR of a sandboxed validator of that killed run.
    let dead_sandbox = tmp.join("forge-sandbox-1-999999999999-gone");
    std::fs::create_dir_all(dead_sandbox.join("home")).unwrap();
    std::fs::create_dir_all(dead_sandbox.join("tmp")).unwrap();
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let start: String = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .nth(19)
        .unwrap()
        .to_string();
    let live = tmp.join(format!(
        "forge-workspace-{}-{start}-alive",
        std::process::id()
    ));
    std::fs::create_dir_all(&live).unwrap();
    p.file(
        "c.yaml",
        "version: 1\nname: r\ntask: t\nfiles: [a.txt]\nroot: .\nthreshold: 1.0\nevidence:\n  synthesis: template\nvalidators:\n  - name: done\n    run: grep -q done a.txt\n  - name: no-tmp-in-copy\n    run: test ! -e tmp\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("a.txt", "done\n")]);
    let out = p
        .command_with_llm(&llm, &["converge", "c.yaml"])
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(p.read("a.txt"), "done\n");
    assert!(!dead.exists(), "the dead run's copy was swept");
    assert!(
        !dead_sandbox.exists(),
        "its validators' private folders too"
    );
    assert!(live.exists(), "a live owner's copy stays");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec![live.file_name().unwrap().to_owned()]);
}
