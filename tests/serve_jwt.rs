//! `forge serve --jwks --issuer --audience`: JWT bearers (RS256, ES256) checked for signature,
//! exp, nbf, iss and aud, against keys made by openssl and tokens signed by jsonwebtoken; the
//! `sub` names the caller, also as the approver of a run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::process::Command;
use support::Project;

fn openssl(args: &[&str], dir: &std::path::Path) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// An RSA key pair: the PEM private key and its JWK (n, e from openssl's modulus).
fn rsa_key(dir: &std::path::Path, kid: &str) -> (Vec<u8>, Value) {
    let pem_name = format!("{kid}.pem");
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            &pem_name,
        ],
        dir,
    );
    let modulus = String::from_utf8(openssl(
        &["rsa", "-in", &pem_name, "-noout", "-modulus"],
        dir,
    ))
    .unwrap();
    let hex_n = modulus.trim().trim_start_matches("Modulus=");
    let n = hex::decode(hex_n).unwrap();
    let jwk =
        json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(&n), "e": "AQAB"});
    (std::fs::read(dir.join(&pem_name)).unwrap(), jwk)
}

/// A P-256 key pair: PKCS#8 PEM and its JWK (x, y from the uncompressed public point).
fn ec_key(dir: &std::path::Path, kid: &str) -> (Vec<u8>, Value) {
    let pem_name = format!("{kid}.pem");
    openssl(
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            &pem_name,
        ],
        dir,
    );
    let der = openssl(
        &["pkey", "-in", &pem_name, "-pubout", "-outform", "DER"],
        dir,
    );
    // The SubjectPublicKeyInfo ends with 0x04 || x (32 bytes) || y (32 bytes).
    let point = &der[der.len() - 65..];
    assert_eq!(point[0], 4);
    let jwk = json!({"kty": "EC", "kid": kid, "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..])});
    (std::fs::read(dir.join(&pem_name)).unwrap(), jwk)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign(alg: Algorithm, kid: &str, pem: &[u8], claims: &Value) -> String {
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(pem).unwrap(),
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem).unwrap(),
        Algorithm::HS256 => EncodingKey::from_secret(pem),
        other => panic!("{other:?}"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

async fn status_of(url: &str, bearer: &str) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn jwts_from_the_jwks_are_accepted_and_every_bad_claim_is_refused() {
    let p = Project::new();
    let (rsa_pem, rsa_jwk) = rsa_key(p.path(), "r1");
    let (ec_pem, ec_jwk) = ec_key(p.path(), "e1");
    let (stranger_pem, _) = rsa_key(p.path(), "r2");
    p.file("jwks.json", &json!({"keys": [rsa_jwk, ec_jwk]}).to_string());
    // A token named like the JWT's `sub` lends it its quotas.
    p.serve_token("carol", &["--rate-per-minute", "3"]);
    let server = p.serve(&[
        "--root",
        ".",
        "--jwks",
        "jwks.json",
        "--issuer",
        "https://idp.example",
        "--audience",
        "forge",
    ]);
    let url = server.url("/api/v1/runs");
    let good = |sub: &str| json!({"sub": sub, "iss": "https://idp.example", "aud": "forge", "exp": now() + 600, "nbf": now() - 10});

    let (s, body) = status_of(&url, &sign(Algorithm::RS256, "r1", &rsa_pem, &good("dave"))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = status_of(&url, &sign(Algorithm::ES256, "e1", &ec_pem, &good("erin"))).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    server.wait_for_line(|l| l.contains("GET /api/v1/runs 200") && l.ends_with("token=dave"));
    server.wait_for_line(|l| l.contains("GET /api/v1/runs 200") && l.ends_with("token=erin"));

    let mut expired = good("x");
    expired["exp"] = json!(now() - 3600);
    let mut early = good("x");
    early["nbf"] = json!(now() + 3600);
    let mut wrong_iss = good("x");
    wrong_iss["iss"] = json!("https://evil.example");
    let mut wrong_aud = good("x");
    wrong_aud["aud"] = json!("someone-else");
    let mut no_sub = good("x");
    no_sub.as_object_mut().unwrap().remove("sub");
    for (what, jwt) in [
        ("expired", sign(Algorithm::RS256, "r1", &rsa_pem, &expired)),
        (
            "not yet valid",
            sign(Algorithm::RS256, "r1", &rsa_pem, &early),
        ),
        (
            "wrong issuer",
            sign(Algorithm::RS256, "r1", &rsa_pem, &wrong_iss),
        ),
        (
            "wrong audience",
            sign(Algorithm::RS256, "r1", &rsa_pem, &wrong_aud),
        ),
        ("no sub", sign(Algorithm::RS256, "r1", &rsa_pem, &no_sub)),
        (
            "key not in the JWKS",
            sign(Algorithm::RS256, "r1", &stranger_pem, &good("x")),
        ),
        (
            "HS256 with the public key as secret",
            sign(Algorithm::HS256, "r1", b"forge", &good("x")),
        ),
    ] {
        let (s, body) = status_of(&url, &jwt).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("JWT refused"),
            "{what}: {body}"
        );
    }
    // One signature character changed well inside it (the last one carries padding bits).
    let signed = sign(Algorithm::RS256, "r1", &rsa_pem, &good("dave"));
    let at = signed.len() - 10;
    let flipped = if &signed[at..=at] == "A" { "B" } else { "A" };
    let tampered = format!("{}{flipped}{}", &signed[..at], &signed[at + 1..]);
    assert_eq!(status_of(&url, &tampered).await.0, StatusCode::UNAUTHORIZED);

    // carol's JWT gets carol's token quotas: 3 a minute.
    let carol = sign(Algorithm::ES256, "e1", &ec_pem, &good("carol"));
    for _ in 0..3 {
        assert_eq!(status_of(&url, &carol).await.0, StatusCode::OK);
    }
    assert_eq!(
        status_of(&url, &carol).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[test]
fn a_jwks_without_usable_keys_stops_it_from_starting() {
    let p = Project::new();
    p.file(
        "jwks.json",
        r#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#,
    );
    p.file("broken.json", "{");
    let state = p.serve_state();
    let state = state.to_str().unwrap();
    for (file, says) in [
        ("jwks.json", "no RSA or EC P-256 key"),
        ("broken.json", "not a JWKS"),
        ("missing.json", "--jwks missing.json"),
    ] {
        p.forge(&[
            "serve",
            "--state",
            state,
            "--root",
            ".",
            "--jwks",
            file,
            "--issuer",
            "i",
            "--audience",
            "a",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(says));
    }
}

/// SPEC §12: over the API the approver is the caller, here a JWT's `sub`.
#[tokio::test]
async fn a_jwt_s_sub_is_the_approver_of_a_run() {
    use support::fake_llm::{FakeLlm, Provider};
    let p = Project::new();
    p.file("src/a.txt", "todo\n");
    p.file(
        "contracts/t.yaml",
        "version: 1\nname: t\ntask: make it done\nfiles:\n  - src/a.txt\nroot: ..\nvalidators:\n  - name: done\n    run: grep -q done src/a.txt\nevidence:\n  synthesis: template\n",
    );
    let llm = FakeLlm::start(Provider::Openai);
    llm.push_files(&[("src/a.txt", "done\n")]);
    let out = p
        .forge_with_llm(
            &llm,
            &["--json", "converge", "contracts/t.yaml", "--no-apply"],
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let run = last["run_id"].as_str().unwrap().to_string();

    let (pem, jwk) = rsa_key(p.path(), "r1");
    p.file("jwks.json", &json!({"keys": [jwk]}).to_string());
    let server = p.serve(&[
        "--root",
        ".",
        "--jwks",
        "jwks.json",
        "--issuer",
        "https://idp.example",
        "--audience",
        "forge",
    ]);
    let claims = json!({"sub": "dave@example.com", "iss": "https://idp.example", "aud": "forge", "exp": now() + 600});
    let resp = reqwest::Client::new()
        .post(server.url(&format!("/api/v1/runs/{run}/approval")))
        .bearer_auth(sign(Algorithm::RS256, "r1", &pem, &claims))
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["approval"]["approver"], "dave@example.com", "{body}");
    assert_eq!(p.read("src/a.txt"), "done\n");
}
