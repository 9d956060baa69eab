//! The sandbox in a converge run (SPEC §11): validators in the private workspace cannot touch
//! the root, its history or forge's key, and the pack records the sandbox's layers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use support::Project;
use support::fake_llm::{FakeLlm, Provider};

#[test]
fn a_converge_run_is_contained_and_its_pack_records_the_sandbox() {
    let p = Project::new();
    p.file(".git/HEAD", "ref: refs/heads/main\n");
    p.file("src/a.txt", "todo\n");
    // forge's key exists before the validators run (it is created when first needed).
    let key = p.config_home.path().join("forge/evidence.key");
    std::fs::create_dir_all(key.parent().unwrap()).unwrap();
    std::fs::write(&key, [7u8; 32]).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let root = p.path().canonicalize().unwrap();
    // Passes only when every attempt to leave the workspace is refused.
    let guard = format!(
        "! (echo pwned > {r}/escape.txt) 2>/dev/null && ! cat {r}/.forge/history.db > /dev/null 2>&1 \
         && ! cat {k} > /dev/null 2>&1 && ! (echo x > {r}/src/a.txt) 2>/dev/null",
        r = root.display(),
        k = key.display()
    );
    p.file(
        "contracts/t.yaml",
        &format!(
            "version: 1\nname: t\ntask: Make src/a.txt say done.\nfiles: [src/a.txt]\nroot: ..\n\
             threshold: 1.0\nevidence: {{synthesis: template}}\nvalidators:\n\
             \x20 - name: done\n    run: grep -q done src/a.txt\n\
             \x20 - name: guard\n    run: {guard:?}\n"
        ),
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);

    let out = p
        .forge_with_llm(&llm, &["--json", "converge", "contracts/t.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!root.join("escape.txt").exists());
    assert_eq!(
        p.read("src/a.txt"),
        "done\n",
        "written back by forge, not the validator"
    );

    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sandbox = lines
        .iter()
        .find(|l| l["event"] == "sandbox")
        .expect("a sandbox event");
    assert_eq!(sandbox["seq"], 2, "right after run_started");
    let finished = lines.last().unwrap();
    let pack: Value = serde_json::from_str(
        &std::fs::read_to_string(finished["evidence"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    let recorded = &pack["raw_evidence"]["sandbox"];
    assert_eq!(recorded["mechanisms"], sandbox["mechanisms"]);
    for m in [
        "user_namespace",
        "mount_namespace",
        "pid_namespace",
        "network_namespace",
        "rlimits",
    ] {
        assert!(
            recorded["mechanisms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x == m),
            "{m} missing from {recorded}"
        );
    }
    assert_eq!(recorded["missing"], serde_json::json!([]), "{recorded}");
    let md = std::fs::read_to_string(
        std::path::Path::new(finished["evidence"].as_str().unwrap()).with_file_name("evidence.md"),
    )
    .unwrap();
    assert!(
        md.contains("| Sandbox | user_namespace, mount_namespace"),
        "{md}"
    );
    let verified = p
        .forge(&["evidence", "verify", finished["evidence"].as_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(verified.status.code(), Some(0));
}

#[test]
fn a_temp_folder_in_dev_shm_still_holds_the_workspace_and_the_validators_home() {
    let Ok(shm) = tempfile::Builder::new()
        .prefix("forge-test-")
        .tempdir_in("/dev/shm")
    else {
        eprintln!("skipped: no writable /dev/shm");
        return;
    };
    // The validators' private /dev/shm shows only what forge bound into it.
    std::fs::write(shm.path().join("host-only"), "x").unwrap();
    // Opened for writing, and holding the temp folder (so the workspace inside it too).
    let outer = shm.path().join("outer");
    std::fs::create_dir(&outer).unwrap();
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        "contracts/t.yaml",
        &format!(
            "version: 1\nname: t\ntask: Make src/a.txt say done.\nfiles: [src/a.txt]\nroot: ..\n\
             sandbox: {{mode: required, writable: [{o}]}}\nevidence: {{synthesis: template}}\nvalidators:\n\
             \x20 - name: done\n    run: grep -q done src/a.txt\n\
             \x20 - name: scratch\n    run: echo ok > \"$TMPDIR/x\" && echo ok > \"$HOME/y\" && cat \"$TMPDIR/x\"\n\
             \x20 - name: private\n    run: test ! -e {s}/host-only\n\
             \x20 - name: opened\n    run: echo ok > {o}/opened.txt\n",
            s = shm.path().display(),
            o = outer.display()
        ),
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(&llm, &["--json", "converge", "contracts/t.yaml"])
        .env("TMPDIR", &outer)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(p.read("src/a.txt"), "done\n");
    let finished: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["event"] == "validator_finished")
        .collect();
    assert_eq!(finished.len(), 4, "{stdout}");
    assert!(finished.iter().all(|e| e["exit_code"] == 0), "{stdout}");
}
