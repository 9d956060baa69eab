//! `forge evidence verify-chain`: packs sealed into the root's chain through the library (as
//! the evidence builder does), checked through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use forge::evidence::{self, EvidenceKey, Signers};
use forge::history::History;
use predicates::prelude::*;
use support::Project;
use support::records::{KEY_BYTES, generate_key, key, sample_pack};

fn run_id(n: usize) -> String {
    format!("01JTESTCHAIN{n:014}")
}

/// Seal the sample pack for `run_id` into `root`'s chain and write it.
fn seal(root: &std::path::Path, history: &History, signers: &Signers, id: &str) {
    let mut pack = sample_pack();
    pack.metadata.run_id = id.to_string();
    // Finished in run id order, a second apart.
    let n: u32 = id[id.len() - 2..].parse().unwrap();
    pack.metadata.finished_at = format!("2026-11-21T17:00:{n:02}.000Z");
    evidence::seal(
        &mut pack,
        signers,
        history,
        &forge::layout::run_dir(root, id),
    )
    .expect("seal");
}

/// A root with `n` chained packs signed with HMAC and ed25519; returns the public key path.
fn chain(p: &Project, n: usize) -> String {
    let (private, public) = generate_key(p, "keys");
    let ed = evidence::signing_key::load_private(&private).unwrap();
    let signers = Signers::new(key(KEY_BYTES), Some(ed));
    let history = History::open(p.path()).unwrap();
    for i in 1..=n {
        seal(p.path(), &history, &signers, &run_id(i));
    }
    public.display().to_string()
}

fn verify_chain(p: &Project, public: &str, code: i32) -> serde_json::Value {
    let out = p
        .forge(&["--json", "evidence", "verify-chain", "--public-key", public])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn problems(r: &serde_json::Value) -> Vec<(String, String)> {
    r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["run_id"].as_str().unwrap().to_string(),
                p["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pack_path(p: &Project, n: usize) -> std::path::PathBuf {
    forge::layout::run_dir(p.path(), &run_id(n)).join("evidence.json")
}

#[test]
fn an_intact_chain_links_each_pack_to_the_one_before() {
    let p = Project::new();
    let public = chain(&p, 3);
    let first: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pack_path(&p, 1)).unwrap()).unwrap();
    assert_eq!(first["metadata"]["previous"], serde_json::Value::Null);
    let third: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pack_path(&p, 3)).unwrap()).unwrap();
    let second: serde_json::Value =
        serde_json::from_slice(&std::fs::read(pack_path(&p, 2)).unwrap()).unwrap();
    assert_eq!(third["metadata"]["previous"]["run_id"], run_id(2));
    assert_eq!(
        third["metadata"]["previous"]["sha256"],
        second["integrity"]["sha256"]
    );
    p.forge(&["evidence", "show", &run_id(3)])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "| Chain | follows run `{}` (sha256 `{}`) |",
            run_id(2),
            second["integrity"]["sha256"].as_str().unwrap()
        )));
    let r = verify_chain(&p, &public, 0);
    assert_eq!(r["intact"], true);
    assert_eq!(r["length"], 3);
    assert_eq!(r["head"]["run_id"], run_id(3));
    assert_eq!(r["head"]["sha256"], third["integrity"]["sha256"]);
    p.forge(&["evidence", "verify-chain", "--public-key", &public])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(format!(
            "chain of 3 packs intact; head {}",
            run_id(3)
        )));
    // Without any key to trust, nothing can be called intact.
    p.forge(&["evidence", "verify-chain"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "verify-chain needs a key to trust",
        ));
}

#[test]
fn a_deleted_pack_is_named_missing_in_the_middle_and_at_the_end() {
    let p = Project::new();
    let public = chain(&p, 4);
    std::fs::remove_dir_all(forge::layout::run_dir(p.path(), &run_id(2))).unwrap();
    let r = verify_chain(&p, &public, 1);
    assert_eq!(problems(&r), [(run_id(2), "missing".to_string())]);
    std::fs::remove_dir_all(forge::layout::run_dir(p.path(), &run_id(4))).unwrap();
    let r = verify_chain(&p, &public, 1);
    assert!(
        problems(&r).contains(&(run_id(4), "missing".to_string())),
        "{r}"
    );
    p.forge(&["evidence", "verify-chain", "--public-key", &public])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "FAIL {}: missing: its pack is gone (it was the newest of the chain)",
            run_id(4)
        )));
}

#[test]
fn an_altered_pack_is_named() {
    let p = Project::new();
    let public = chain(&p, 3);
    let path = pack_path(&p, 2);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("converged", "stagnated", 1)).unwrap();
    let r = verify_chain(&p, &public, 1);
    let named: Vec<_> = problems(&r);
    assert!(
        named
            .iter()
            .all(|(id, kind)| id == &run_id(2) && kind == "altered"),
        "{r}"
    );
    assert!(!named.is_empty());
}

#[test]
fn a_reordered_chain_is_named_even_when_re_signed_with_the_key() {
    let p = Project::new();
    let public = chain(&p, 3);
    // Someone holding the keys rewrites 3 to follow 1 and 2 to follow 3: every signature is
    // valid and every link points at an existing pack with its content.
    let private = p.join("keys/forge-signing.key");
    let ed = evidence::signing_key::load_private(&private).unwrap();
    let signers = Signers::new(
        EvidenceKey::from_bytes(KEY_BYTES.to_vec()).unwrap(),
        Some(ed),
    );
    let read = |n| -> evidence::EvidencePack {
        serde_json::from_slice(&std::fs::read(pack_path(&p, n)).unwrap()).unwrap()
    };
    let one = read(1);
    let mut three = read(3);
    three.metadata.previous = Some(evidence::PackLink {
        run_id: run_id(1),
        sha256: one.integrity.unwrap().sha256,
    });
    evidence::sign(&mut three, &signers).unwrap();
    let mut two = read(2);
    two.metadata.previous = Some(evidence::PackLink {
        run_id: run_id(3),
        sha256: three.integrity.clone().unwrap().sha256,
    });
    evidence::sign(&mut two, &signers).unwrap();
    for (n, pack) in [(3, &three), (2, &two)] {
        evidence::write_pack(&forge::layout::run_dir(p.path(), &run_id(n)), pack).unwrap();
    }
    let r = verify_chain(&p, &public, 1);
    let kinds: Vec<String> = problems(&r).into_iter().map(|(_, k)| k).collect();
    assert!(kinds.iter().any(|k| k == "reordered"), "{r}");
    // Without the history (packs copied elsewhere), the links alone still show it: 2 finished
    // before 3 but is chained after it.
    std::fs::remove_file(p.join(".forge/history.db")).unwrap();
    let r = verify_chain(&p, &public, 1);
    assert!(
        problems(&r).contains(&(run_id(2), "reordered".to_string())),
        "{r}"
    );
}

#[test]
fn concurrent_sealing_from_separate_connections_forms_one_chain() {
    let p = Project::new();
    let (private, public) = generate_key(&p, "keys");
    let root = p.path().to_path_buf();
    History::open(&root).unwrap();
    let threads: Vec<_> = (1..=8)
        .map(|i| {
            let root = root.clone();
            let private = private.clone();
            std::thread::spawn(move || {
                let ed = evidence::signing_key::load_private(&private).unwrap();
                let signers = Signers::new(key(KEY_BYTES), Some(ed));
                let history = History::open(&root).unwrap();
                seal(&root, &history, &signers, &run_id(i));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let r = verify_chain(&p, &public.display().to_string(), 0);
    assert_eq!(r["length"], 8);
}
