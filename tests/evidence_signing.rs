//! ed25519 evidence (SPEC §9): key generation, v2 packs with pinned and unpinned keys, v1 packs
//! still verifying, hardened reading, and the in-toto/DSSE export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use predicates::prelude::*;
use support::Project;
use support::records::{KEY_BYTES, SAMPLE_ARTIFACT, generate_key, key_file, write_v2_pack};

const RUN: &str = "01JTESTRUN0000000000000002";

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

/// A v2 pack signed with HMAC and a fresh ed25519 key; returns (pack, public key, hmac key file).
fn v2(p: &Project) -> (String, String, String) {
    let (private, public) = generate_key(p, "keys");
    let pack = write_v2_pack(p.path(), RUN, &private);
    let kf = key_file(p, "test.key", KEY_BYTES);
    (
        pack.display().to_string(),
        public.display().to_string(),
        kf.display().to_string(),
    )
}

fn report(p: &Project, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec!["evidence", "verify", "--json"];
    all.extend_from_slice(args);
    let out = p
        .forge(&all)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).expect("verify --json prints JSON")
}

fn check<'a>(report: &'a serde_json::Value, name: &str) -> (bool, &'a str) {
    let c = report["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no `{name}` check in {report}"));
    (c["ok"].as_bool().unwrap(), c["detail"].as_str().unwrap())
}

#[test]
fn key_generate_writes_a_pkcs8_pair_with_a_private_0600_file_and_never_replaces_it() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::new();
    let out = p
        .forge(&["key", "generate", "--out", "keys"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("forge-signing.key (private, mode 0600)"),
        "{out}"
    );
    assert!(out.contains("key id ed25519:"), "{out}");
    let private = std::fs::read_to_string(p.join("keys/forge-signing.key")).unwrap();
    let public = std::fs::read_to_string(p.join("keys/forge-signing.pub")).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{private}"
    );
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "{public}"
    );
    // The DER inside: PKCS#8 v1 with the Ed25519 OID 1.3.101.112, SPKI with the same OID.
    let der = |pem: &str| {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        b64(&body)
    };
    let oid = [0x06, 0x03, 0x2b, 0x65, 0x70];
    assert_eq!(der(&private).len(), 48);
    assert!(der(&private).windows(5).any(|w| w == oid));
    assert_eq!(der(&public).len(), 44);
    assert!(der(&public).windows(5).any(|w| w == oid));
    let mode = |f: &str| std::fs::metadata(p.join(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("keys/forge-signing.key"), 0o600);
    assert_eq!(mode("keys/forge-signing.pub"), 0o644);
    p.forge(&["key", "generate", "--out", "keys"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "already exists; a signing key is never replaced",
        ));
    assert_eq!(
        std::fs::read_to_string(p.join("keys/forge-signing.key")).unwrap(),
        private
    );
    // Default folder: $XDG_CONFIG_HOME/forge.
    p.forge(&["key", "generate"]).assert().code(0);
    assert!(
        p.config_home
            .path()
            .join("forge/forge-signing.key")
            .is_file()
    );
}

#[test]
fn a_v2_pack_is_valid_with_the_pinned_public_key_alone() {
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&pack).unwrap()).unwrap();
    assert_eq!(written["schema"], "forge.evidence/v2");
    let sigs = written["integrity"]["signatures"].as_array().unwrap();
    let algs: Vec<&str> = sigs
        .iter()
        .map(|s| s["algorithm"].as_str().unwrap())
        .collect();
    assert_eq!(algs, ["hmac-sha256", "ed25519"]);
    assert_eq!(b64(sigs[1]["signature"].as_str().unwrap()).len(), 64);
    assert_eq!(b64(sigs[1]["public_key"].as_str().unwrap()).len(), 32);
    assert!(sigs[1]["key_id"].as_str().unwrap().starts_with("ed25519:"));

    // No HMAC key at all: the public key is enough.
    let r = report(&p, &[&pack, "--public-key", &public], 0);
    assert_eq!(r["valid"], true);
    let (ok, detail) = check(&r, "signature");
    assert!(
        ok && detail.contains("(pinned by --public-key)"),
        "{detail}"
    );
    assert!(
        detail.contains("not checked, no trusted evidence key"),
        "{detail}"
    );
    // By run id, from the root's run folder.
    p.forge(&["evidence", "verify", RUN, "--public-key", &public])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("evidence.json: valid"));
}

#[test]
fn an_embedded_key_alone_is_unpinned_and_invalid() {
    let p = Project::new();
    let (pack, _, _) = v2(&p);
    let r = report(&p, &[&pack], 1);
    let (ok, detail) = check(&r, "signature");
    assert!(!ok);
    assert!(
        detail.starts_with("unpinned: ed25519:")
            && detail.contains("verifies only with the public key embedded"),
        "{detail}"
    );
    assert!(check(&r, "canonical hash").0);
}

#[test]
fn a_wrong_public_key_does_not_verify() {
    let p = Project::new();
    let (pack, _, _) = v2(&p);
    let (_, other) = generate_key(&p, "other");
    let r = report(
        &p,
        &[&pack, "--public-key", &other.display().to_string()],
        1,
    );
    let (ok, detail) = check(&r, "signature");
    assert!(!ok);
    assert!(
        detail.contains("signed with another ed25519 key"),
        "{detail}"
    );
    // Several keys may be pinned; one that signed is enough.
    let public = p.join("keys/forge-signing.pub").display().to_string();
    report(
        &p,
        &[
            &pack,
            "--public-key",
            &other.display().to_string(),
            "--public-key",
            &public,
        ],
        0,
    );
    // A public key file that is not one is bad input.
    let bad = p.file("bad.pub", "not a key");
    p.forge(&[
        "evidence",
        "verify",
        &pack,
        "--public-key",
        &bad.display().to_string(),
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "not an ed25519 public key in SPKI PEM",
    ));
}

#[test]
fn an_altered_byte_breaks_hash_and_pinned_signature() {
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    let mut bytes = std::fs::read(&pack).unwrap();
    let at = bytes
        .windows(14)
        .position(|w| w == b"AssertionError")
        .unwrap();
    bytes[at] ^= 0x02;
    std::fs::write(&pack, &bytes).unwrap();
    let r = report(&p, &[&pack, "--public-key", &public], 1);
    assert!(
        check(&r, "canonical hash")
            .1
            .contains("altered: hash mismatch")
    );
    let (ok, detail) = check(&r, "signature");
    assert!(
        !ok && detail.contains("altered") && detail.contains("content changed after signing"),
        "{detail}"
    );
}

#[test]
fn swapping_in_an_attackers_key_and_signature_is_caught_by_the_pin() {
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    // An attacker re-signs altered content with their own key and embeds it.
    let (attacker, _) = generate_key(&p, "attacker");
    let text = std::fs::read_to_string(&pack)
        .unwrap()
        .replace("converged", "stagnated");
    let mut forged: forge::evidence::EvidencePack = serde_json::from_str(&text).unwrap();
    let ed = forge::evidence::signing_key::load_private(&attacker).unwrap();
    let hmac = forge::evidence::EvidenceKey::from_bytes(b"attacker hmac".to_vec()).unwrap();
    forge::evidence::sign(&mut forged, &forge::evidence::Signers::new(hmac, Some(ed))).unwrap();
    std::fs::write(&pack, serde_json::to_vec(&forged).unwrap()).unwrap();
    let r = report(&p, &[&pack], 1);
    assert!(check(&r, "signature").1.starts_with("unpinned"), "{r}");
    let r = report(&p, &[&pack, "--public-key", &public], 1);
    assert!(
        check(&r, "signature")
            .1
            .contains("signed with another ed25519 key"),
        "{r}"
    );
}

#[test]
fn a_v1_pack_still_verifies_with_its_hmac_key() {
    let p = Project::new();
    let pack = p.file("v1.json", include_str!("data/evidence/v1-signed.json"));
    let kf = key_file(&p, "test.key", KEY_BYTES).display().to_string();
    let pack = pack.display().to_string();
    let r = report(&p, &[&pack, "--key-file", &kf], 0);
    assert_eq!(check(&r, "schema").1, "forge.evidence/v1");
    let other = key_file(&p, "o.key", b"other").display().to_string();
    report(&p, &[&pack, "--key-file", &other], 1);
    let text = std::fs::read_to_string(&pack)
        .unwrap()
        .replacen("converged", "stagnated", 1);
    std::fs::write(&pack, text).unwrap();
    report(&p, &[&pack, "--key-file", &kf], 1);
    p.forge(&["evidence", "show", &pack])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "| Signature (hmac-sha256) | key `hmac-sha256:",
        ));
}

#[test]
fn duplicate_keys_big_files_and_special_files_are_refused_with_exit_2() {
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    // A second "status" that a lenient parser would read as the only one.
    let text = std::fs::read_to_string(&pack).unwrap();
    let dup = text.replacen(
        "\"status\": \"converged\",",
        "\"status\": \"converged\", \"status\": \"stagnated\",",
        1,
    );
    assert_ne!(dup, text);
    let dup = p.file("dup.json", &dup);
    let r = report(
        &p,
        &[&dup.display().to_string(), "--public-key", &public],
        2,
    );
    assert!(
        check(&r, "parse").1.contains("duplicate key `status`"),
        "{r}"
    );

    let big = p.join("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(64 * 1024 * 1024 + 1).unwrap();
    p.forge(&["evidence", "verify", &big.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("larger than the 64 MiB limit"));

    let fifo = p.join("fifo.json");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    p.forge(&["evidence", "verify", &fifo.display().to_string()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file (a FIFO)"));
    p.forge(&["evidence", "verify", "/dev/zero"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a regular file (a character device)",
        ));
    std::os::unix::fs::symlink("/dev/zero", p.join("zero.json")).unwrap();
    p.forge(&["evidence", "verify", "zero.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
    p.forge(&["evidence", "show", "zero.json"]).assert().code(2);
    // Key files are read the same way: a device given as a key is refused, not read forever.
    for key in ["/dev/zero", "zero.json"] {
        p.forge(&["evidence", "verify", &pack, "--key-file", key])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not a regular file"));
        p.forge(&["evidence", "verify", &pack, "--public-key", key])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("not a regular file"));
    }
}

#[test]
fn artifacts_must_be_regular_files_inside_the_folder() {
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    let args = |dir: &str| {
        vec![
            pack.clone(),
            "--public-key".to_string(),
            public.clone(),
            "--artifacts".to_string(),
            dir.to_string(),
        ]
    };
    let run = |dir: &str, code: i32| {
        let a = args(dir);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        report(&p, &a, code)
    };
    // The real file lives outside; inside, a symlink points at it.
    p.file("elsewhere/slug.py", SAMPLE_ARTIFACT);
    std::fs::create_dir_all(p.join("work/src")).unwrap();
    std::os::unix::fs::symlink(p.join("elsewhere/slug.py"), p.join("work/src/slug.py")).unwrap();
    let r = run("work", 2);
    let (ok, detail) = check(&r, "artifact src/slug.py");
    assert!(!ok && detail.contains("leads outside work"), "{detail}");

    // A symlink that stays inside the folder is fine.
    std::fs::remove_file(p.join("work/src/slug.py")).unwrap();
    p.file("work/real/slug.py", SAMPLE_ARTIFACT);
    std::os::unix::fs::symlink("../real/slug.py", p.join("work/src/slug.py")).unwrap();
    run("work", 0);

    // A FIFO in its place is refused, not waited on.
    std::fs::remove_file(p.join("work/src/slug.py")).unwrap();
    nix::unistd::mkfifo(&p.join("work/src/slug.py"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    let r = run("work", 2);
    assert!(
        check(&r, "artifact src/slug.py")
            .1
            .contains("not a regular file (a FIFO)")
    );
}

fn envelope(p: &Project, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["evidence", "export", RUN, "--format", "in-toto"];
    all.extend_from_slice(args);
    let out = p.forge(&all).assert().code(0).get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn in_toto_export_is_a_dsse_envelope_signed_over_the_pae() {
    use forge::evidence::sign::Verifier;
    let p = Project::new();
    let (pack, public, _) = v2(&p);
    let private = p.join("keys/forge-signing.key").display().to_string();
    let env = envelope(&p, &["--signing-key", &private]);
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    let payload = b64(env["payload"].as_str().unwrap());
    let sig = &env["signatures"][0];
    let pinned = forge::evidence::signing_key::load_public(std::path::Path::new(&public)).unwrap();
    assert_eq!(sig["keyid"], pinned.key_id());
    let mut pae = format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len()).into_bytes();
    pae.extend_from_slice(&payload);
    assert!(
        pinned.verify(&pae, &b64(sig["sig"].as_str().unwrap())),
        "signature over the PAE"
    );
    assert!(!pinned.verify(&payload, &b64(sig["sig"].as_str().unwrap())));

    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        st["predicateType"],
        "https://forge.dev/attestation/converge/v1"
    );
    assert_eq!(
        st["subject"],
        serde_json::json!([{"name": "src/slug.py", "digest": {"sha256": "4d0bc17064e8d4f33990753aa1136c33ecaf692c480ba7058912a08800943534"}}])
    );
    let pr = &st["predicate"];
    assert_eq!(pr["run"]["id"], RUN);
    assert_eq!(pr["contract"]["name"], "slugify");
    assert_eq!(pr["llm"]["model"], "gpt-4o-mini");
    assert_eq!(pr["outcome"]["status"], "converged");
    assert_eq!(pr["outcome"]["iterations"], 2);
    assert_eq!(pr["outcome"]["tokens"], 2790);
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&pack).unwrap()).unwrap();
    assert_eq!(pr["pack"]["sha256"], written["integrity"]["sha256"]);
    let names: Vec<&str> = pr["validations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert!(!names.is_empty());

    // The key from the environment, then the default file, give the same signer.
    let from_env = p
        .forge(&["evidence", "export", RUN, "--format", "in-toto"])
        .env("FORGE_SIGNING_KEY", &private)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let from_env: serde_json::Value = serde_json::from_slice(&from_env).unwrap();
    assert_eq!(from_env["signatures"][0]["keyid"], sig["keyid"]);
}

#[test]
fn in_toto_without_a_signing_key_says_how_to_make_one() {
    let p = Project::new();
    v2(&p);
    p.forge(&["evidence", "export", RUN, "--format", "in-toto"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "there is no signing key: create one with `forge key generate`",
        ));
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "in-toto",
        "--signing-key",
        "nope.key",
    ])
    .assert()
    .code(2)
    .stderr(predicate::str::contains("nope.key"));
}

#[test]
fn export_output_replaces_only_a_regular_file() {
    let p = Project::new();
    let (pack, _, _) = v2(&p);
    let private = p.join("keys/forge-signing.key").display().to_string();
    p.file("out/old.json", "old");
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "json",
        "-o",
        "out/old.json",
    ])
    .assert()
    .code(0);
    assert_eq!(
        std::fs::read(p.join("out/old.json")).unwrap(),
        std::fs::read(&pack).unwrap()
    );
    p.file("victim.txt", "keep me");
    std::os::unix::fs::symlink(p.join("victim.txt"), p.join("out/link.json")).unwrap();
    nix::unistd::mkfifo(&p.join("out/fifo.json"), nix::sys::stat::Mode::S_IRWXU).unwrap();
    for (target, format) in [
        ("out/link.json", "md"),
        ("out/fifo.json", "in-toto"),
        ("out", "json"),
    ] {
        p.forge(&[
            "evidence",
            "export",
            RUN,
            "--format",
            format,
            "-o",
            target,
            "--signing-key",
            &private,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a regular file"));
    }
    assert_eq!(p.read("victim.txt"), "keep me");
    assert!(
        std::fs::symlink_metadata(p.join("out/link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn an_altered_pack_is_not_attested() {
    let p = Project::new();
    let (pack, _, _) = v2(&p);
    let private = p.join("keys/forge-signing.key").display().to_string();
    let text = std::fs::read_to_string(&pack)
        .unwrap()
        .replacen("converged", "stagnated", 1);
    std::fs::write(&pack, text).unwrap();
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "in-toto",
        "--signing-key",
        &private,
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains(
        "does not hash to its integrity.sha256",
    ));
}
