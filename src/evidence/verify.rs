//! `forge evidence verify`: is this pack whole, signed with our key, and (optionally) do the
//! files it lists still match?

use super::canonical::{self, ALGORITHM};
use super::{EvidenceKey, EvidencePack, SCHEMA};
use hmac::Mac;
use serde::Serialize;
use serde_json::Value;
use std::path::{Component, Path};

/// One named check and what it found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Every check that was made; `valid` only when all of them passed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifyReport {
    pub valid: bool,
    pub checks: Vec<Check>,
}

pub const CHECK_PARSE: &str = "parse";
pub const CHECK_SCHEMA: &str = "schema";
pub const CHECK_HASH: &str = "canonical hash";
pub const CHECK_SIGNATURE: &str = "signature";

impl VerifyReport {
    /// The pack could not be read as JSON at all (truncated, not JSON).
    pub fn unreadable(&self) -> bool {
        self.checks.iter().any(|c| c.name == CHECK_PARSE && !c.ok)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    fn push(&mut self, name: &str, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.to_string(),
            ok,
            detail: detail.into(),
        });
        self.valid = self.checks.iter().all(|c| c.ok);
    }
}

/// Check a pack's bytes. `key` is the key to check the signature with (None: the signature
/// cannot be checked, which makes the pack invalid); `artifacts` is a folder whose files must
/// match the pack's `artifacts` list.
pub fn verify(bytes: &[u8], key: Option<&EvidenceKey>, artifacts: Option<&Path>) -> VerifyReport {
    let mut report = VerifyReport {
        valid: false,
        checks: Vec::new(),
    };
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            report.push(CHECK_PARSE, false, format!("not a JSON document: {e}"));
            return report;
        }
    };
    report.push(CHECK_PARSE, true, "JSON document");

    let pack = check_schema(&value, &mut report);
    let integrity = value.get("integrity").and_then(Value::as_object);
    let Some(integrity) = integrity else {
        report.push(
            CHECK_HASH,
            false,
            "no `integrity` block: the pack is not signed",
        );
        return report;
    };
    let field = |name: &str| integrity.get(name).and_then(Value::as_str).unwrap_or("");
    // The integrity block is not itself signed: each of its fields must say what this verifier
    // does, or a changed field would pass unnoticed (found by tests/fuzz.rs).
    if field("canonicalization") != canonical::CANONICALIZATION {
        report.push(
            CHECK_HASH,
            false,
            format!(
                "unsupported canonicalization `{}` (expected `{}`)",
                field("canonicalization"),
                canonical::CANONICALIZATION
            ),
        );
        return report;
    }

    let content = match canonical::signed_bytes(&value) {
        Ok(b) => b,
        Err(e) => {
            report.push(
                CHECK_HASH,
                false,
                format!("cannot canonicalize the pack: {e}"),
            );
            return report;
        }
    };
    let actual_hash = canonical::sha256_hex(&content);
    let hash_ok = field("sha256") == actual_hash;
    if hash_ok {
        report.push(CHECK_HASH, true, format!("sha256 {actual_hash}"));
    } else {
        report.push(
            CHECK_HASH,
            false,
            format!(
                "altered: hash mismatch (integrity says {}, the content hashes to {actual_hash})",
                short(field("sha256"))
            ),
        );
    }
    check_signature(
        &mut report,
        key,
        &content,
        field("algorithm"),
        field("key_id"),
        field("signature"),
        hash_ok,
    );

    if let (Some(dir), Some(pack)) = (artifacts, pack.as_ref()) {
        for a in &pack.raw_evidence.artifacts {
            let (ok, detail) = check_artifact(dir, &a.path, &a.sha256, a.size);
            report.push(&format!("artifact {}", a.path), ok, detail);
        }
    }
    report
}

fn check_schema(value: &Value, report: &mut VerifyReport) -> Option<EvidencePack> {
    match value.get("schema").and_then(Value::as_str) {
        Some(SCHEMA) => match serde_json::from_value::<EvidencePack>(value.clone()) {
            Ok(pack) => {
                report.push(CHECK_SCHEMA, true, SCHEMA);
                Some(pack)
            }
            Err(e) => {
                report.push(
                    CHECK_SCHEMA,
                    false,
                    format!("not a valid {SCHEMA} pack: {e}"),
                );
                None
            }
        },
        Some(other) => {
            report.push(
                CHECK_SCHEMA,
                false,
                format!("unknown schema `{other}` (this forge reads {SCHEMA})"),
            );
            None
        }
        None => {
            report.push(
                CHECK_SCHEMA,
                false,
                format!("no `schema` field (expected `{SCHEMA}`)"),
            );
            None
        }
    }
}

fn check_signature(
    report: &mut VerifyReport,
    key: Option<&EvidenceKey>,
    content: &[u8],
    algorithm: &str,
    key_id: &str,
    signature: &str,
    hash_ok: bool,
) {
    if algorithm != ALGORITHM {
        let detail = format!("unsupported algorithm `{algorithm}` (expected `{ALGORITHM}`)");
        return report.push(CHECK_SIGNATURE, false, detail);
    }
    let Some(key) = key else {
        let detail = format!(
            "cannot check the signature: no evidence key (pass --key-file, set {}, or create {})",
            super::key::ENV_VAR,
            super::key::default_path()
                .map_or_else(|_| "the key file".to_string(), |p| p.display().to_string())
        );
        return report.push(CHECK_SIGNATURE, false, detail);
    };
    let mine = key.key_id();
    let Ok(sig) = hex::decode(signature) else {
        return report.push(CHECK_SIGNATURE, false, "the signature is not hex");
    };
    let mut mac = canonical::mac(key.bytes());
    mac.update(content);
    let matches = mac.verify_slice(&sig).is_ok();
    let (ok, detail) = match (matches, key_id == mine) {
        (true, true) => (true, format!("valid, signed with {mine}")),
        (true, false) => (
            false,
            format!("altered: key_id says {key_id} but the pack was signed with {mine}"),
        ),
        (false, false) => (
            false,
            format!("signed with another key (key_id {key_id}, yours is {mine})"),
        ),
        (false, true) if !hash_ok => (
            false,
            "altered: hash mismatch, the content changed after signing".to_string(),
        ),
        (false, true) => (
            false,
            "altered: the signature does not match the content".to_string(),
        ),
    };
    report.push(CHECK_SIGNATURE, ok, detail);
}

fn check_artifact(dir: &Path, rel: &str, sha256: &str, size: u64) -> (bool, String) {
    let rel_path = Path::new(rel);
    if !rel_path
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return (
            false,
            format!("`{rel}` is not a plain relative path; not checked"),
        );
    }
    let path = dir.join(rel_path);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (false, format!("missing: {} does not exist", path.display()));
        }
        Err(e) => return (false, format!("cannot read {}: {e}", path.display())),
    };
    let actual = canonical::sha256_hex(&bytes);
    if bytes.len() as u64 != size {
        return (
            false,
            format!(
                "modified: {} has {} bytes, the pack says {size}",
                path.display(),
                bytes.len()
            ),
        );
    }
    if actual != sha256 {
        return (
            false,
            format!(
                "modified: {} hashes to {}, the pack says {}",
                path.display(),
                short(&actual),
                short(sha256)
            ),
        );
    }
    (true, format!("sha256 {}, {size} bytes", short(sha256)))
}

/// The first 16 hex digits: enough to tell hashes apart in a message.
fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}
