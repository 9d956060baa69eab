//! A run's `approval.json` (SPEC §12): who approved or rejected it, for which pack, sealed with
//! the pack's own signing code; checked by `evidence verify` and shown by `evidence show`.

use super::input::{self, Limit};
use super::sign::SignerSet;
use super::verify::{Layout, SealNames, check_seal};
use super::{Check, EvidenceError, Integrity, Trust};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const FILE_NAME: &str = "approval.json";
/// Signed like a `forge.evidence/v2` pack: a `signatures` list (HMAC, and ed25519 when a
/// signing key is configured).
pub const SCHEMA: &str = "forge.approval/v2";
/// Written before approvals carried ed25519: one HMAC signature beside the hash. Still checked.
pub const SCHEMA_V1: &str = "forge.approval/v1";

/// An approval is a few hundred bytes; anything much larger is not one.
const CAP: Limit = Limit(1024 * 1024);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Approval {
    /// `forge.approval/v2`
    pub schema: String,
    pub run_id: String,
    /// The canonical hash of the pack decided on (its `integrity.sha256`).
    pub pack_sha256: String,
    pub decision: Decision,
    /// `--approver`, git's `user.email`, or the `forge serve` caller (token name or JWT `sub`).
    pub approver: String,
    pub at: String,
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<Integrity>,
}

/// Seal `approval` with every signer (the same integrity block a pack gets) and write it to
/// `run_dir/approval.json`, never replacing an existing one; the record as written.
pub fn write(
    run_dir: &Path,
    approval: &Approval,
    signers: &impl SignerSet,
) -> Result<Approval, EvidenceError> {
    let mut record = Approval {
        schema: SCHEMA.to_string(),
        integrity: None,
        ..approval.clone()
    };
    let value = serde_json::to_value(&record).map_err(EvidenceError::Serialize)?;
    record.integrity = Some(super::sign::integrity(&value, signers)?);
    let mut bytes = serde_json::to_vec_pretty(&record).map_err(EvidenceError::Serialize)?;
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
    tmp.persist_noclobber(&path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            EvidenceError::Exists(format!("{} already exists", path.display()))
        } else {
            fail(e.error)
        }
    })?;
    Ok(record)
}

/// The approval kept in `run_dir`, if any.
pub fn read(run_dir: &Path) -> Result<Option<Approval>, EvidenceError> {
    let path = run_dir.join(FILE_NAME);
    let unreadable = |message: String| EvidenceError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let bytes = match input::read_regular(&path, CAP) {
        Ok(b) => b,
        Err(input::InputError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| unreadable(format!("not a forge approval: {e}")))
}

/// The checks `evidence verify` adds when `run_dir` holds an approval: it parses, it names the
/// pack being verified (`pack_sha256`), and its hash and signatures hold with the keys the
/// reader trusts, checked by the same code as the pack's. `None` when there is no approval.
pub fn check(run_dir: &Path, pack_sha256: &str, trust: &Trust) -> Option<Vec<Check>> {
    let path = run_dir.join(FILE_NAME);
    let check = |name: &str, ok: bool, detail: String| Check {
        name: name.to_string(),
        ok,
        detail,
    };
    let bytes = match input::read_regular(&path, CAP) {
        Ok(b) => b,
        Err(input::InputError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            return Some(vec![check(
                "approval",
                false,
                format!("{}: {e}", path.display()),
            )]);
        }
    };
    let value = match input::parse_json_strict(&bytes) {
        Ok(v) => v,
        Err(e) => return Some(vec![check("approval", false, format!("not JSON: {e}"))]),
    };
    let approval = match serde_json::from_value::<Approval>(value.clone()) {
        Ok(a) => a,
        Err(e) => {
            let detail = format!("not a {SCHEMA} record: {e}");
            return Some(vec![check("approval", false, detail)]);
        }
    };
    let layout = match approval.schema.as_str() {
        SCHEMA => Layout::List,
        SCHEMA_V1 => Layout::Single,
        other => {
            let detail =
                format!("unknown schema `{other}` (this forge reads {SCHEMA} and {SCHEMA_V1})");
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
    let names_this_pack = approval.pack_sha256 == pack_sha256;
    checks.push(check(
        "approval pack",
        names_this_pack,
        if names_this_pack {
            "names this pack".to_string()
        } else {
            format!(
                "names pack sha256 {}, this pack is {}",
                approval.pack_sha256, pack_sha256
            )
        },
    ));
    let names = SealNames {
        what: "approval",
        hash: "approval hash",
        signature: "approval signature",
    };
    match check_seal(&value, layout, trust, &names) {
        Ok(sealed) => checks.extend(sealed),
        Err(unsigned) => checks.push(unsigned),
    }
    Some(checks)
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
    use crate::evidence::sign::Ed25519Key;
    use crate::evidence::{EvidenceKey, Signers};

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

    fn hmac(bytes: &[u8]) -> EvidenceKey {
        EvidenceKey::from_bytes(bytes.to_vec()).unwrap()
    }

    fn trust(
        key: Option<EvidenceKey>,
        public: Vec<crate::evidence::sign::Ed25519PublicKey>,
    ) -> Trust {
        Trust { hmac: key, public }
    }

    fn failed(checks: &[Check]) -> Vec<String> {
        checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect()
    }

    #[test]
    fn written_approval_verifies_and_tampering_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &approval(), &hmac(b"k")).unwrap();
        let checks = check(
            dir.path(),
            &"ab".repeat(32),
            &trust(Some(hmac(b"k")), vec![]),
        )
        .unwrap();
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");

        let other = check(
            dir.path(),
            &"cd".repeat(32),
            &trust(Some(hmac(b"k")), vec![]),
        )
        .unwrap();
        assert!(other.iter().any(|c| c.name == "approval pack" && !c.ok));

        let checks = check(
            dir.path(),
            &"ab".repeat(32),
            &trust(Some(hmac(b"other")), vec![]),
        )
        .unwrap();
        assert!(
            failed(&checks)
                .iter()
                .any(|c| c.contains("another HMAC key")),
            "{checks:?}"
        );

        let path = dir.path().join(FILE_NAME);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("dev@example.com", "boss@example.com")).unwrap();
        let checks = check(
            dir.path(),
            &"ab".repeat(32),
            &trust(Some(hmac(b"k")), vec![]),
        )
        .unwrap();
        let failed = failed(&checks);
        assert!(
            failed
                .iter()
                .any(|c| c.starts_with("approval hash: altered")),
            "{failed:?}"
        );
        assert!(
            failed
                .iter()
                .any(|c| c.starts_with("approval signature: altered")),
            "{failed:?}"
        );
    }

    /// With a signing key the approval carries the pack's two signatures, and the ed25519 one
    /// is trusted only when pinned, exactly as a pack's.
    #[test]
    fn ed25519_is_checked_and_pinned_like_a_pack_s() {
        let dir = tempfile::tempdir().unwrap();
        let ed = Ed25519Key::generate();
        let signers = Signers::new(hmac(b"k"), Some(ed.clone()));
        let written = write(dir.path(), &approval(), &signers).unwrap();
        let algorithms: Vec<&str> = written
            .integrity
            .as_ref()
            .unwrap()
            .signatures
            .iter()
            .map(|s| s.algorithm.as_str())
            .collect();
        assert_eq!(algorithms, ["hmac-sha256", "ed25519"]);
        assert_eq!(read(dir.path()).unwrap().unwrap(), written);

        let sha = "ab".repeat(32);
        let pinned = check(dir.path(), &sha, &trust(None, vec![ed.public()])).unwrap();
        assert!(pinned.iter().all(|c| c.ok), "{pinned:?}");
        assert!(
            pinned
                .iter()
                .any(|c| c.detail.contains("pinned by --public-key"))
        );

        let unpinned = check(dir.path(), &sha, &trust(None, vec![])).unwrap();
        assert!(
            failed(&unpinned).iter().any(|c| c.contains("unpinned")),
            "{unpinned:?}"
        );
        let stranger = Ed25519Key::generate().public();
        let wrong = check(dir.path(), &sha, &trust(None, vec![stranger])).unwrap();
        assert!(!wrong.iter().all(|c| c.ok), "{wrong:?}");
    }

    /// An approval written before the signatures list (one HMAC beside the hash) still checks.
    #[test]
    fn a_v1_approval_still_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let mut v1 = serde_json::to_value(Approval {
            schema: SCHEMA_V1.into(),
            ..approval()
        })
        .unwrap();
        let integrity = crate::evidence::sign::integrity(&v1, &hmac(b"k")).unwrap();
        let [sig] = &integrity.signatures[..] else {
            panic!("one signature")
        };
        v1["integrity"] = serde_json::json!({
            "canonicalization": integrity.canonicalization,
            "sha256": integrity.sha256,
            "algorithm": sig.algorithm,
            "key_id": sig.key_id,
            "signature": sig.signature,
        });
        std::fs::write(dir.path().join(FILE_NAME), v1.to_string()).unwrap();
        let checks = check(
            dir.path(),
            &"ab".repeat(32),
            &trust(Some(hmac(b"k")), vec![]),
        )
        .unwrap();
        assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    }

    #[test]
    fn a_decision_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &approval(), &hmac(b"k")).unwrap();
        let mut second = approval();
        second.decision = Decision::Rejected;
        assert!(matches!(
            write(dir.path(), &second, &hmac(b"k")),
            Err(EvidenceError::Exists(_))
        ));
        let kept = read(dir.path()).unwrap().unwrap();
        assert_eq!(kept.decision, Decision::Approved);
        let empty = tempfile::tempdir().unwrap();
        assert!(check(empty.path(), "x", &Trust::default()).is_none());
    }
}
