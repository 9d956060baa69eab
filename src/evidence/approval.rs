//! A run's `approval.json` (SPEC §12): who approved or rejected it, for which pack, signed like
//! the pack; checked by `evidence verify` and shown by `evidence show`.

use super::canonical::{self, ALGORITHM, CANONICALIZATION};
use super::{Check, EvidenceError, EvidenceKey};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

pub const FILE_NAME: &str = "approval.json";
pub const SCHEMA: &str = "forge.approval/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }
}

/// The decision on one run's pack. `integrity` is over the canonical JSON of the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub schema: String,
    pub run_id: String,
    /// The canonical hash of the pack decided on (its `integrity.sha256`).
    pub pack_sha256: String,
    pub decision: Decision,
    pub approver: String,
    pub at: String,
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Value>,
}

/// Hash and sign a JSON record the way a pack is signed: the canonical JSON (RFC 8785) of the
/// record without `integrity`, its sha256, and an HMAC-SHA256 with the evidence key.
pub fn seal(record: &mut Value, key: &EvidenceKey) -> Result<(), EvidenceError> {
    let bytes = canonical::signed_bytes(record).map_err(EvidenceError::Serialize)?;
    let mut mac = canonical::mac(key.bytes());
    mac.update(&bytes);
    let integrity = serde_json::json!({
        "canonicalization": CANONICALIZATION,
        "sha256": canonical::sha256_hex(&bytes),
        "algorithm": ALGORITHM,
        "key_id": key.key_id(),
        "signature": hex::encode(mac.finalize().into_bytes()),
    });
    match record {
        Value::Object(map) => {
            map.insert("integrity".into(), integrity);
            Ok(())
        }
        _ => Err(EvidenceError::Unsignable("not a JSON object".into())),
    }
}

/// Sign `approval` and write it to `run_dir/approval.json`, never replacing an existing one.
pub fn write(run_dir: &Path, approval: &Approval, key: &EvidenceKey) -> Result<(), EvidenceError> {
    let mut value = serde_json::to_value(approval).map_err(EvidenceError::Serialize)?;
    seal(&mut value, key)?;
    let mut bytes = serde_json::to_vec_pretty(&value).map_err(EvidenceError::Serialize)?;
    bytes.push(b'\n');
    let path = run_dir.join(FILE_NAME);
    let fail = |e: std::io::Error| EvidenceError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-tmp-")
        .tempfile_in(run_dir)
        .map_err(fail)?;
    std::io::Write::write_all(&mut tmp, &bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // A decision is final: a second one racing this must not overwrite it.
    tmp.persist_noclobber(&path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The approval kept in `run_dir`, if any.
pub fn read(run_dir: &Path) -> Result<Option<Approval>, EvidenceError> {
    let path = run_dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(EvidenceError::Unreadable {
                path: path.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| EvidenceError::Unreadable {
            path: path.display().to_string(),
            message: format!("not a forge approval: {e}"),
        })
}

/// The checks `evidence verify` adds when `run_dir` holds an approval: it parses, its hash and
/// signature hold with `key`, and it names the pack being verified (`pack_sha256`).
/// `None` when there is no approval.
pub fn check(run_dir: &Path, pack_sha256: &str, key: Option<&EvidenceKey>) -> Option<Vec<Check>> {
    let path = run_dir.join(FILE_NAME);
    let bytes = std::fs::read(&path).ok()?;
    let check = |name: &str, ok: bool, detail: String| Check {
        name: name.to_string(),
        ok,
        detail,
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => return Some(vec![check("approval", false, format!("not JSON: {e}"))]),
    };
    let approval = match serde_json::from_value::<Approval>(value.clone()) {
        Ok(a) if a.schema == SCHEMA => a,
        Ok(a) => {
            let detail = format!("unknown schema `{}` (expected {SCHEMA})", a.schema);
            return Some(vec![check("approval", false, detail)]);
        }
        Err(e) => {
            let detail = format!("not a {SCHEMA} record: {e}");
            return Some(vec![check("approval", false, detail)]);
        }
    };
    let mut checks = vec![check(
        "approval",
        true,
        format!(
            "{} by {} at {}",
            approval.decision.as_str(),
            approval.approver,
            approval.at
        ),
    )];
    checks.push(check(
        "approval pack",
        approval.pack_sha256 == pack_sha256,
        if approval.pack_sha256 == pack_sha256 {
            "names this pack".to_string()
        } else {
            format!(
                "names pack sha256 {}, this pack is {}",
                approval.pack_sha256, pack_sha256
            )
        },
    ));
    let (ok, detail) = signature_holds(&value, key);
    checks.push(check("approval signature", ok, detail));
    Some(checks)
}

fn signature_holds(value: &Value, key: Option<&EvidenceKey>) -> (bool, String) {
    let field = |name: &str| {
        value
            .get("integrity")
            .and_then(|i| i.get(name))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let Ok(bytes) = canonical::signed_bytes(value) else {
        return (false, "cannot canonicalize the approval".into());
    };
    if field("sha256") != canonical::sha256_hex(&bytes) {
        return (false, "altered: hash mismatch".into());
    }
    if field("algorithm") != ALGORITHM {
        return (
            false,
            format!("unsupported algorithm `{}`", field("algorithm")),
        );
    }
    let Some(key) = key else {
        return (false, "no evidence key to check it with".into());
    };
    let Ok(sig) = hex::decode(field("signature")) else {
        return (false, "the signature is not hex".into());
    };
    let mut mac = canonical::mac(key.bytes());
    mac.update(&bytes);
    match (
        mac.verify_slice(&sig).is_ok(),
        field("key_id") == key.key_id(),
    ) {
        (true, true) => (true, format!("valid, signed with {}", key.key_id())),
        (false, false) => (
            false,
            format!("signed with another key (key_id {})", field("key_id")),
        ),
        _ => (false, "altered: the signature does not match".into()),
    }
}

/// The approval as a Markdown section, appended to the pack's Markdown by `evidence show`.
pub fn markdown(a: &Approval) -> String {
    let mut out = format!(
        "\n## Approval\n\n- decision: **{}**\n- approver: {}\n- at: {}\n- pack sha256: `{}`\n",
        a.decision.as_str(),
        one_line(&a.approver),
        one_line(&a.at),
        one_line(&a.pack_sha256)
    );
    if let Some(r) = &a.reason {
        out.push_str(&format!("- reason: {}\n", one_line(r)));
    }
    out
}

/// Text from a file shown on one line with no control characters.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval() -> Approval {
        Approval {
            schema: SCHEMA.into(),
            run_id: "01RUN".into(),
            pack_sha256: "ab".repeat(32),
            decision: Decision::Approved,
            approver: "dev@example.com".into(),
            at: "2026-01-01T00:00:00Z".into(),
            reason: None,
            integrity: None,
        }
    }

    #[test]
    fn written_approval_verifies_and_tampering_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let key = EvidenceKey::from_bytes(b"k".to_vec()).unwrap();
        write(dir.path(), &approval(), &key).unwrap();
        let checks = check(dir.path(), &"ab".repeat(32), Some(&key)).unwrap();
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");

        let other = check(dir.path(), &"cd".repeat(32), Some(&key)).unwrap();
        assert!(other.iter().any(|c| c.name == "approval pack" && !c.ok));

        let wrong = EvidenceKey::from_bytes(b"other".to_vec()).unwrap();
        let checks = check(dir.path(), &"ab".repeat(32), Some(&wrong)).unwrap();
        assert!(checks.iter().any(|c| c.detail.contains("another key")));

        let path = dir.path().join(FILE_NAME);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("dev@example.com", "boss@example.com")).unwrap();
        let checks = check(dir.path(), &"ab".repeat(32), Some(&key)).unwrap();
        assert!(
            checks.iter().any(|c| c.detail.contains("altered")),
            "{checks:?}"
        );
    }

    #[test]
    fn a_decision_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let key = EvidenceKey::from_bytes(b"k".to_vec()).unwrap();
        write(dir.path(), &approval(), &key).unwrap();
        let mut second = approval();
        second.decision = Decision::Rejected;
        assert!(write(dir.path(), &second, &key).is_err());
        let kept = read(dir.path()).unwrap().unwrap();
        assert_eq!(kept.decision, Decision::Approved);
        assert!(check(tempfile::tempdir().unwrap().path(), "x", None).is_none());
    }
}
