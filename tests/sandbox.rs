//! The validator sandbox (SPEC §11) through the real binary: each containment shown by what a
//! validator could not do, and ordinary tools still working inside it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::Project;

/// A contract whose validators are the given YAML list items (each starting `- name:`).
fn contract(p: &Project, extra: &str, validators: &str) -> String {
    p.file(".git/HEAD", "ref: refs/heads/main\n");
    p.file(
        "c.yaml",
        &format!("version: 1\nname: t\ntask: x\nfiles: [a.txt]\n{extra}validators:\n{validators}"),
    );
    "c.yaml".into()
}

/// `forge check --json`: exit code, each validator's exit code by name, and stderr.
fn check(p: &Project, file: &str) -> (i32, Vec<(String, Option<i64>)>, String) {
    let out = p
        .forge(&["check", "--json", file])
        .output()
        .expect("forge runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("check --json printed {stdout:?} ({e}); stderr {stderr}"));
    let codes = json["validators"]
        .as_array()
        .expect("validators")
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap_or("").to_string(),
                v["exit_code"].as_i64(),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), codes, stderr)
}

fn code_of(codes: &[(String, Option<i64>)], name: &str) -> Option<i64> {
    codes
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no validator {name} in {codes:?}"))
        .1
}

/// Skip (or, on CI, fail) when a tool a test needs is missing.
fn have(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required on CI"
        );
        eprintln!("skipped: `{tool}` is not installed");
    }
    found
}

#[test]
fn the_network_is_a_private_loopback_unless_opened() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    let accepted = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let server = {
        let (accepted, done) = (accepted.clone(), done.clone());
        std::thread::spawn(move || {
            while done.load(Ordering::SeqCst) == 0 {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        let mut buf = [0u8; 16];
                        let _ = s.read(&mut buf);
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        })
    };
    let p = Project::new();
    let connect = format!(
        "python3 -c \"import socket; socket.create_connection(('127.0.0.1', {port}), 2).sendall(b'hi')\""
    );
    let file = contract(
        &p,
        "",
        &format!(
            "  - name: closed\n    run: {connect:?}\n  - name: open\n    run: {connect:?}\n    sandbox: {{network: true}}\n\
             \x20 - name: own_loopback\n    run: python3 -c \"import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); socket.create_connection(s.getsockname(), 2)\"\n"
        ),
    );
    let (_, codes, stderr) = check(&p, &file);
    done.store(1, Ordering::SeqCst);
    server.join().expect("server thread");
    assert_ne!(code_of(&codes, "closed"), Some(0), "{stderr}");
    assert_eq!(code_of(&codes, "open"), Some(0), "{stderr}");
    assert_eq!(code_of(&codes, "own_loopback"), Some(0), "{stderr}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "only `network: true` got through"
    );
}

#[test]
fn writes_outside_the_workspace_are_refused() {
    let p = Project::new();
    let outside = tempfile::tempdir().expect("outside dir");
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "original").expect("victim");
    let o = outside.path().display();
    let file = contract(
        &p,
        "",
        &format!(
            "  - name: outside\n    run: echo pwned > {o}/new.txt\n\
             \x20 - name: delete\n    run: rm -f {o}/victim.txt\n\
             \x20 - name: overwrite\n    run: echo pwned > {o}/victim.txt\n\
             \x20 - name: inside\n    run: echo ok > inside.txt && mkdir -p deep/er && echo ok > deep/er/f\n\
             \x20 - name: tmp\n    run: echo ok > \"$TMPDIR/x\" && echo ok > \"$HOME/y\" && cat \"$TMPDIR/x\"\n"
        ),
    );
    let (code, codes, stderr) = check(&p, &file);
    for name in ["outside", "delete", "overwrite"] {
        assert_ne!(code_of(&codes, name), Some(0), "{name}: {stderr}");
    }
    assert_eq!(code_of(&codes, "inside"), Some(0), "{stderr}");
    assert_eq!(code_of(&codes, "tmp"), Some(0), "{stderr}");
    assert_eq!(code, 1);
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "original"
    );
    assert!(!outside.path().join("new.txt").exists());
    assert_eq!(p.read("inside.txt"), "ok\n");
}

#[test]
fn an_opened_path_is_writable() {
    let p = Project::new();
    let extra = tempfile::tempdir().expect("extra dir");
    let e = extra.path().display();
    let file = contract(
        &p,
        &format!("sandbox:\n  writable: [{e}]\n"),
        &format!("  - name: write\n    run: echo ok > {e}/out.txt\n"),
    );
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(extra.path().join("out.txt")).expect("written"),
        "ok\n"
    );
}

#[test]
fn keys_history_and_credentials_are_unreadable() {
    let p = Project::new();
    // The test's XDG_CONFIG_HOME and HOME are `config_home`.
    let key = p.config_home.path().join("forge/evidence.key");
    std::fs::create_dir_all(key.parent().expect("parent")).expect("mkdir");
    std::fs::write(&key, "KEY-MATERIAL-0123456789").expect("key");
    let ssh = p.config_home.path().join(".ssh/id_ed25519");
    std::fs::create_dir_all(ssh.parent().expect("parent")).expect("mkdir");
    std::fs::write(&ssh, "SSH-PRIVATE-KEY").expect("ssh key");
    p.file(".forge/history.db", "HISTORY-ROWS");
    let (k, s) = (key.display(), ssh.display());
    let file = contract(
        &p,
        "",
        &format!(
            "  - name: snoop\n    run: cat {k} {s} .forge/history.db > seen.txt 2>&1; ls -a .forge {} > listed.txt 2>&1; true\n",
            key.parent().expect("parent").display()
        ),
    );
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    let seen = p.read("seen.txt");
    for secret in ["KEY-MATERIAL", "SSH-PRIVATE", "HISTORY-ROWS"] {
        assert!(!seen.contains(secret), "{secret} leaked: {seen}");
    }
    let listed = p.read("listed.txt");
    for name in ["evidence.key", "history.db"] {
        assert!(!listed.contains(name), "{name} listed: {listed}");
    }
    assert_eq!(
        std::fs::read_to_string(&key).expect("key kept"),
        "KEY-MATERIAL-0123456789"
    );
    assert_eq!(p.read(".forge/history.db"), "HISTORY-ROWS");
}

/// Processes whose command line holds `marker`, anywhere on the machine.
fn processes_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if text.contains(marker) && !text.contains("forge") {
                found.push(format!("{}: {text}", entry.file_name().to_string_lossy()));
            }
        }
    }
    found
}

#[test]
fn a_setsid_grandchild_dies_with_the_validator() {
    let p = Project::new();
    let marker = format!("escape-{}-{}", std::process::id(), line!());
    let file = contract(
        &p,
        "",
        &format!(
            "  - name: escape\n    run: setsid sh -c 'sleep 300; echo {marker} > late.txt' > /dev/null 2>&1 & echo started\n"
        ),
    );
    let (code, codes, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(code_of(&codes, "escape"), Some(0));
    assert_eq!(processes_with(&marker), Vec::<String>::new());
}

#[test]
fn a_process_storm_is_contained_and_forge_finishes() {
    let p = Project::new();
    let marker = format!("storm-{}-{}", std::process::id(), line!());
    // dash gives up at the first fork that fails; n.txt holds how many started before that.
    let file = contract(
        &p,
        "sandbox: {processes: 40}\n",
        &format!(
            "  - name: storm\n    run: for i in $(seq 400); do sh -c 'sleep 120; true {marker}' & echo $i > n.txt; done; wait\n    timeout: 60s\n"
        ),
    );
    let (code, codes, stderr) = check(&p, &file);
    assert_eq!(code, 1, "{stderr}");
    assert_ne!(code_of(&codes, "storm"), Some(0));
    let started: u32 = p.read("n.txt").trim().parse().expect("a count");
    assert!(started < 40, "{started} processes started");
    assert_eq!(processes_with(&marker), Vec::<String>::new());
}

#[test]
fn a_memory_hog_is_contained() {
    let p = Project::new();
    let file = contract(
        &p,
        "sandbox: {memory: 256MiB}\n",
        "  - name: hog\n    run: python3 -c \"b = bytearray(2 * 1024**3); print(len(b))\"\n\
         \x20 - name: modest\n    run: python3 -c \"b = bytearray(16 * 1024**2); print(len(b))\"\n",
    );
    let (code, codes, stderr) = check(&p, &file);
    assert_eq!(code, 1, "{stderr}");
    assert_ne!(code_of(&codes, "hog"), Some(0));
    assert_eq!(code_of(&codes, "modest"), Some(0), "{stderr}");
}

#[test]
fn git_works_inside_the_workspace() {
    if !have("git") {
        return;
    }
    let p = Project::new();
    std::fs::remove_dir_all(p.join(".git")).ok();
    let file = contract(
        &p,
        "",
        "  - name: git\n    run: rm -rf .git && git init -q && git add c.yaml && git -c user.name=t -c user.email=t@e commit -qm one && git log --oneline | grep -q one\n",
    );
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
}

/// Run `forge` inside a user namespace that may not create more: namespaces are unavailable.
fn without_namespaces(p: &Project, file: &str) -> std::process::Output {
    let forge = assert_cmd::cargo::cargo_bin("forge");
    let cmd = p.command(&[]);
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec {} check {file}",
        forge.display()
    );
    let mut unshare = std::process::Command::new("unshare");
    unshare.args(["--user", "--map-root-user", "sh", "-c", &script]);
    unshare.current_dir(p.path()).env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            unshare.env(k, v);
        }
    }
    unshare.output().expect("unshare runs")
}

#[test]
fn required_refuses_and_auto_says_once_what_is_missing() {
    if !have("unshare") {
        return;
    }
    let p = Project::new();
    let auto = contract(
        &p,
        "",
        "  - name: one\n    run: echo ok > one.txt\n  - name: two\n    run: 'true'\n",
    );
    let out = without_namespaces(&p, &auto);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let notices: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("forge: sandbox:"))
        .collect();
    assert_eq!(notices.len(), 1, "{stderr}");
    assert!(notices[0].contains("mount_namespace"), "{stderr}");
    assert!(notices[0].contains("mode: required"), "{stderr}");

    p.file(
        "r.yaml",
        "version: 1\nname: t\ntask: x\nfiles: [a.txt]\nvalidators:\n  - name: strict\n    run: echo ran > ran.txt\n    sandbox: {mode: required}\n",
    );
    let out = without_namespaces(&p, "r.yaml");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("validator `strict` requires a sandbox"),
        "{stderr}"
    );
    assert!(!p.join("ran.txt").exists(), "nothing may run");
}

#[test]
fn off_runs_validators_as_before() {
    let p = Project::new();
    let outside = tempfile::tempdir().expect("outside dir");
    let file = contract(
        &p,
        "sandbox: {mode: off}\n",
        &format!(
            "  - name: free\n    run: echo ok > {}/x.txt\n",
            outside.path().display()
        ),
    );
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    assert!(outside.path().join("x.txt").exists());
    assert!(!stderr.contains("sandbox"), "{stderr}");
}

/// The probe's answer files in HOME/.cache/forge, one per set of circumstances.
fn probe_caches(p: &Project) -> Vec<std::path::PathBuf> {
    let dir = p.config_home.path().join(".cache/forge");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|f: &std::path::PathBuf| {
        f.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("sandbox-probe-"))
    });
    found.sort();
    found
}

#[test]
fn the_probe_answer_is_kept_across_runs_and_redone_when_circumstances_change() {
    if !have("unshare") {
        return;
    }
    let p = Project::new();
    let file = contract(&p, "", "  - name: one\n    run: echo ok > one.txt\n");
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    let caches = probe_caches(&p);
    assert_eq!(caches.len(), 1, "{caches:?}");

    // A later forge believes the kept answer instead of probing again.
    let mut kept: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&caches[0]).unwrap()).unwrap();
    let without_landlock: Vec<serde_json::Value> = kept["mechanisms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| *m != "landlock")
        .cloned()
        .collect();
    kept["mechanisms"] = without_landlock.into();
    kept["missing"] = serde_json::json!(["landlock"]);
    kept["reasons"] = serde_json::json!(["landlock: as the kept answer says"]);
    std::fs::write(&caches[0], kept.to_string()).unwrap();
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "forge: sandbox: validators run without landlock (landlock: as the kept answer says)"
        ),
        "{stderr}"
    );

    // Where namespaces are forbidden the circumstances differ: a probe of its own.
    let out = without_namespaces(&p, &file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("mount_namespace"), "{stderr}");
    assert!(!stderr.contains("kept answer"), "{stderr}");
    assert_eq!(probe_caches(&p).len(), 2);

    // An unreadable kept answer is probed afresh and replaced.
    std::fs::write(&caches[0], "{not json").unwrap();
    let (code, _, stderr) = check(&p, &file);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("kept answer"), "{stderr}");
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&caches[0]).unwrap()).unwrap();
    assert!(again["mechanisms"].is_array(), "{again}");
}
