//! `cargo bench --bench evidence`: what checking evidence costs.
//!
//! - `forge evidence verify --artifacts` on 1,000 files totalling 1 GB, against `sha256sum` on
//!   the same files (both with the files in the page cache; median of 5);
//! - `forge evidence verify-chain` on a root holding 10,000 chained packs.
//!
//! Results are printed; BENCHMARKS.md records them with the machine they came from.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use forge::evidence::{self, Artifact, EvidenceKey, EvidencePack};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 1_000;
const FILE_BYTES: usize = 1_000_000;
const RUNS: usize = 5;
const PACKS: usize = 10_000;

fn main() {
    let forge = PathBuf::from(env!("CARGO_BIN_EXE_forge"));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("config dir");
    let key_file = dir.path().join("bench.key");
    std::fs::write(&key_file, b"bench key bench key bench key 32").expect("key");
    let key = EvidenceKey::from_bytes(std::fs::read(&key_file).expect("key")).expect("key");

    let pack = artifacts_pack(dir.path(), &key);
    let (forge_ms, sha_ms, sha_p2_ms) =
        verify_artifacts(&forge, dir.path(), config.path(), &pack, &key_file);
    let gb = (FILES * FILE_BYTES) as f64 / 1e9;
    println!(
        "verify --artifacts, {FILES} files, {gb:.1} GB: forge {forge_ms:.0} ms ({:.2} GB/s); sha256sum {sha_ms:.0} ms ({:.2} GB/s); sha256sum on 2 processes {sha_p2_ms:.0} ms; forge/sha256sum throughput {:.2}x",
        gb / (forge_ms / 1000.0),
        gb / (sha_ms / 1000.0),
        sha_ms / forge_ms
    );

    let chain_root = dir.path().join("chain");
    let public = chained_root(&chain_root, &key);
    let chain_ms = time(|| {
        let mut c = Command::new(&forge);
        c.current_dir(&chain_root)
            .env("XDG_CONFIG_HOME", config.path())
            .args(["evidence", "verify-chain", "--public-key"])
            .arg(&public);
        c
    });
    println!(
        "verify-chain over {PACKS} packs (HMAC + ed25519 each): {chain_ms:.0} ms ({:.0} µs per pack)",
        chain_ms * 1000.0 / PACKS as f64
    );
}

/// A root whose history chains `PACKS` signed packs, as converge seals them (without the fsync
/// of each file, to keep the set-up short); returns the public key file.
fn chained_root(root: &Path, key: &EvidenceKey) -> PathBuf {
    use forge::evidence::sign::Ed25519Key;
    let ed = Ed25519Key::generate();
    let public = root.join("forge-signing.pub");
    std::fs::create_dir_all(root).expect("mkdir");
    std::fs::write(&public, ed.public().to_spki_pem().expect("pem")).expect("write");
    let signers = evidence::Signers::new(key.clone(), Some(ed));
    let history = forge::history::History::open(root).expect("history");
    let template: EvidencePack =
        serde_json::from_str(include_str!("../tests/data/evidence/pack.json")).expect("pack");
    for i in 0..PACKS {
        let run_id = format!("01JBENCHCHAIN{i:013}");
        let dir = forge::layout::run_dir(root, &run_id);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut pack = template.clone();
        pack.metadata.run_id = run_id.clone();
        history
            .chain_pack::<evidence::EvidenceError>(&run_id, |previous| {
                pack.metadata.previous = previous;
                evidence::sign(&mut pack, &signers)?;
                let bytes =
                    serde_json::to_vec_pretty(&pack).map_err(evidence::EvidenceError::Serialize)?;
                std::fs::write(dir.join("evidence.json"), bytes).expect("write");
                Ok(pack
                    .integrity
                    .as_ref()
                    .map(|i| i.sha256.clone())
                    .unwrap_or_default())
            })
            .expect("seal");
    }
    public
}

fn median(mut xs: Vec<Duration>) -> f64 {
    xs.sort();
    xs[xs.len() / 2].as_secs_f64() * 1000.0
}

fn time(mut cmd: impl FnMut() -> Command) -> f64 {
    let runs = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let st = cmd()
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run");
            assert!(st.success(), "benchmark command failed");
            t.elapsed()
        })
        .collect();
    median(runs)
}

/// 1,000 files of pseudo-random bytes under `root/work`, and a signed pack listing them.
fn artifacts_pack(root: &Path, key: &EvidenceKey) -> PathBuf {
    let work = root.join("work");
    std::fs::create_dir_all(&work).expect("mkdir");
    let mut buf = vec![0u8; FILE_BYTES];
    let mut artifacts = Vec::with_capacity(FILES);
    for i in 0..FILES {
        rand::fill(&mut buf[..]);
        let name = format!("f{i:04}.bin");
        std::fs::write(work.join(&name), &buf).expect("write");
        artifacts.push(Artifact {
            path: name,
            sha256: hex::encode(Sha256::digest(&buf)),
            size: FILE_BYTES as u64,
        });
    }
    let mut pack: EvidencePack =
        serde_json::from_str(include_str!("../tests/data/evidence/pack.json")).expect("pack");
    pack.raw_evidence.artifacts = artifacts;
    evidence::sign(&mut pack, key).expect("sign");
    evidence::write_pack(&root.join("run"), &pack)
        .expect("write")
        .json
}

fn verify_artifacts(
    forge: &Path,
    root: &Path,
    config: &Path,
    pack: &Path,
    key: &Path,
) -> (f64, f64, f64) {
    let forge_ms = time(|| {
        let mut c = Command::new(forge);
        c.current_dir(root)
            .env("XDG_CONFIG_HOME", config)
            .args(["evidence", "verify"])
            .arg(pack)
            .arg("--key-file")
            .arg(key)
            .args(["--artifacts", "work"]);
        c
    });
    let sha_ms = time(|| {
        let mut c = Command::new("sh");
        c.current_dir(root.join("work"))
            .args(["-c", "sha256sum f*.bin"]);
        c
    });
    let sha_p2_ms = time(|| {
        let mut c = Command::new("sh");
        c.current_dir(root.join("work"))
            .args(["-c", "ls f*.bin | xargs -P2 -n500 sha256sum"]);
        c
    });
    (forge_ms, sha_ms, sha_p2_ms)
}
