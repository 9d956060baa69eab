//! forge's v2 pack and its DSSE envelope checked by code forge did not write: Python's
//! `cryptography` (OpenSSL) and `rfc8785` packages, through tests/verify_pack.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;
use support::records::{generate_key, write_v2_pack};

const RUN: &str = "01JTESTRUN0000000000000003";

/// python3 with both packages, or None after saying why (a failure when CI=true).
fn python() -> Option<()> {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import cryptography, rfc8785"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Some(());
    }
    let why = "python3 with the PyPI packages cryptography and rfc8785 is missing (pip install cryptography rfc8785)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}; CI must have them (see .ci/run)");
    }
    eprintln!("skipped: {why}");
    None
}

fn verify_pack_py(p: &Project, pack: &str, envelope: &str, code: i32) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_pack.py");
    let out = std::process::Command::new("python3")
        .args([
            script,
            pack,
            envelope,
            &p.join("keys/forge-signing.pub").display().to_string(),
            &p.join("keys/forge-signing.key").display().to_string(),
        ])
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(code), "{text}");
    text
}

#[test]
fn python_cryptography_and_rfc8785_verify_the_pack_and_the_envelope() {
    if python().is_none() {
        return;
    }
    let p = Project::new();
    let (private, _) = generate_key(&p, "keys");
    let pack = write_v2_pack(p.path(), RUN, &private).display().to_string();
    p.forge(&[
        "evidence",
        "export",
        RUN,
        "--format",
        "in-toto",
        "--signing-key",
        &private.display().to_string(),
        "-o",
        "envelope.json",
    ])
    .assert()
    .code(0);
    let envelope = p.join("envelope.json").display().to_string();
    let out = verify_pack_py(&p, &pack, &envelope, 0);
    assert!(out.contains("verify_pack.py: ok"), "{out}");

    // The same script notices a changed byte in the pack and in the envelope.
    let text = std::fs::read_to_string(&pack).unwrap();
    std::fs::write(&pack, text.replacen("gpt-4o-mini", "gpt-4o-maxi", 1)).unwrap();
    assert!(verify_pack_py(&p, &pack, &envelope, 1).contains("sha256 of the JCS bytes"));
    std::fs::write(&pack, &text).unwrap();
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&envelope).unwrap()).unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let payload = b64.decode(env["payload"].as_str().unwrap()).unwrap();
    let payload = String::from_utf8(payload)
        .unwrap()
        .replace("converged", "stagnated");
    let mut forged = env.clone();
    forged["payload"] = b64.encode(payload).into();
    std::fs::write(&envelope, serde_json::to_vec(&forged).unwrap()).unwrap();
    assert!(verify_pack_py(&p, &pack, &envelope, 1).contains("DSSE signature does not verify"));
}
