//! forge's v2 pack and its DSSE envelope checked by code forge did not write: Python's
//! `cryptography` (OpenSSL) and `rfc8785` packages, through tests/verify_pack.py.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::Project;
use support::records::{generate_key, write_v2_pack};
use support::tools;

const RUN: &str = "01JTESTRUN0000000000000003";

fn verify_pack_py(p: &Project, pack: &str, envelope: &str, code: i32) -> String {
    let public = p.join("keys/forge-signing.pub").display().to_string();
    let private = p.join("keys/forge-signing.key").display().to_string();
    tools::verify_pack_py(&[pack, envelope, &public, &private], code)
}

#[test]
fn python_cryptography_and_rfc8785_verify_the_pack_and_the_envelope() {
    if !tools::python_crypto() {
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
