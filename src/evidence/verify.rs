//! `forge evidence verify`: is this pack whole, signed with a key the reader trusts, and
//! (optionally) do the files it lists still match?

use super::canonical;
use super::input;
use super::sign::{ED25519, Ed25519PublicKey, HMAC_SHA256, Verifier, decode_signature};
use super::{EvidenceKey, EvidencePack, SCHEMA, SCHEMA_V1};
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

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
    /// An input was refused or could not be read at all (exit 2 rather than 1).
    #[serde(skip)]
    pub unreadable: bool,
}

pub const CHECK_PARSE: &str = "parse";
pub const CHECK_SCHEMA: &str = "schema";
pub const CHECK_HASH: &str = "canonical hash";
pub const CHECK_SIGNATURE: &str = "signature";

/// The keys a reader trusts: their HMAC evidence key, and ed25519 public keys they pinned.
#[derive(Debug, Default)]
pub struct Trust {
    pub hmac: Option<EvidenceKey>,
    pub public: Vec<Ed25519PublicKey>,
}

impl VerifyReport {
    fn new() -> VerifyReport {
        VerifyReport {
            valid: false,
            checks: Vec::new(),
            unreadable: false,
        }
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

    /// Add checks made elsewhere (an approval's, a sealed record's).
    pub fn extend(&mut self, checks: impl IntoIterator<Item = Check>) {
        self.checks.extend(checks);
        self.valid = self.checks.iter().all(|c| c.ok);
    }
}

/// Check a pack's bytes against the keys in `trust`; `artifacts` is a folder whose files must
/// match the pack's `artifacts` list.
pub fn verify(bytes: &[u8], trust: &Trust, artifacts: Option<&Path>) -> VerifyReport {
    let mut report = VerifyReport::new();
    let value = match input::parse_json_strict(bytes) {
        Ok(v) => v,
        Err(e) => {
            report.unreadable = true;
            report.push(CHECK_PARSE, false, format!("not a JSON document: {e}"));
            return report;
        }
    };
    report.push(CHECK_PARSE, true, "JSON document");

    let (schema, pack) = check_schema(&value, &mut report);
    let layout = if schema == Some(SCHEMA_V1) {
        Layout::Single
    } else {
        Layout::List
    };
    let names = SealNames {
        what: "pack",
        hash: CHECK_HASH,
        signature: CHECK_SIGNATURE,
    };
    match check_seal(&value, layout, trust, &names) {
        Ok(checks) => report.extend(checks),
        Err(unsigned) => {
            report.extend([unsigned]);
            return report;
        }
    }

    if let (Some(dir), Some(pack)) = (artifacts, pack.as_ref()) {
        super::artifacts::check_all(dir, &pack.raw_evidence.artifacts, &mut |name, outcome| {
            report.unreadable |= outcome.refused;
            report.push(&format!("artifact {name}"), outcome.ok, outcome.detail);
        });
    }
    report
}

/// Where a sealed record keeps its signatures: v1 records carry one HMAC signature beside the
/// hash, later ones a `signatures` list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Single,
    List,
}

/// What the hash and signature checks of a sealed record are called, and the record in words.
pub(super) struct SealNames {
    pub what: &'static str,
    pub hash: &'static str,
    pub signature: &'static str,
}

/// The hash check and the signature check of any sealed record (a pack, an approval) against
/// the keys in `trust`; the one failed check when it cannot be hashed at all.
pub(super) fn check_seal(
    value: &Value,
    layout: Layout,
    trust: &Trust,
    names: &SealNames,
) -> Result<[Check; 2], Check> {
    let what = names.what;
    let check = |name: &str, ok: bool, detail: String| Check {
        name: name.to_string(),
        ok,
        detail,
    };
    let Some(integrity) = value.get("integrity").and_then(Value::as_object) else {
        let detail = format!("no `integrity` block: the {what} is not signed");
        return Err(check(names.hash, false, detail));
    };
    // The integrity block is not itself signed: each of its fields must say what this verifier
    // does, or a changed field would pass unnoticed (found by tests/fuzz.rs).
    if text(integrity, "canonicalization") != canonical::CANONICALIZATION {
        let detail = format!(
            "unsupported canonicalization `{}` (expected `{}`)",
            text(integrity, "canonicalization"),
            canonical::CANONICALIZATION
        );
        return Err(check(names.hash, false, detail));
    }
    let content = match canonical::signed_bytes(value) {
        Ok(b) => b,
        Err(e) => {
            let detail = format!("cannot canonicalize the {what}: {e}");
            return Err(check(names.hash, false, detail));
        }
    };
    let claimed = text(integrity, "sha256");
    let actual_hash = canonical::sha256_hex(&content);
    let hash_ok = claimed == actual_hash;
    let hash = if hash_ok {
        check(names.hash, true, format!("sha256 {actual_hash}"))
    } else {
        let detail = format!(
            "altered: hash mismatch (integrity says {}, the content hashes to {actual_hash})",
            short(claimed)
        );
        check(names.hash, false, detail)
    };
    let entries: Vec<&Map<String, Value>> = match layout {
        Layout::Single => vec![integrity],
        Layout::List => integrity
            .get("signatures")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default(),
    };
    let signed = Signed {
        content: &content,
        hash_ok,
        what,
    };
    let (ok, detail) = check_signatures(&entries, trust, &signed);
    Ok([hash, check(names.signature, ok, detail)])
}

fn text<'a>(map: &'a Map<String, Value>, name: &str) -> &'a str {
    map.get(name).and_then(Value::as_str).unwrap_or("")
}

fn check_schema(
    value: &Value,
    report: &mut VerifyReport,
) -> (Option<&'static str>, Option<EvidencePack>) {
    let schema = match value.get("schema").and_then(Value::as_str) {
        Some(SCHEMA) => SCHEMA,
        Some(SCHEMA_V1) => SCHEMA_V1,
        Some(other) => {
            let detail =
                format!("unknown schema `{other}` (this forge reads {SCHEMA} and {SCHEMA_V1})");
            report.push(CHECK_SCHEMA, false, detail);
            return (None, None);
        }
        None => {
            report.push(
                CHECK_SCHEMA,
                false,
                format!("no `schema` field (expected `{SCHEMA}`)"),
            );
            return (None, None);
        }
    };
    match serde_json::from_value::<EvidencePack>(value.clone()) {
        Ok(pack) => {
            report.push(CHECK_SCHEMA, true, schema);
            (Some(schema), Some(pack))
        }
        Err(e) => {
            report.push(
                CHECK_SCHEMA,
                false,
                format!("not a valid {schema} pack: {e}"),
            );
            (Some(schema), None)
        }
    }
}

/// The bytes the signatures are over, whether they still hash to what the record claims, and
/// the record in words.
struct Signed<'a> {
    content: &'a [u8],
    hash_ok: bool,
    what: &'a str,
}

/// What became of the signature entries: valid only when one verifies with a trusted key and
/// none is shown to be altered.
#[derive(Default)]
struct Findings {
    trusted: Vec<String>,
    altered: Vec<String>,
    unpinned: Vec<String>,
    unchecked: Vec<String>,
}

fn check_signatures(entries: &[&Map<String, Value>], trust: &Trust, s: &Signed) -> (bool, String) {
    if entries.is_empty() {
        return (false, format!("the {} carries no signature", s.what));
    }
    let mut f = Findings::default();
    for entry in entries {
        let algorithm = text(entry, "algorithm");
        let key_id = text(entry, "key_id");
        let Some(raw) = decode_signature(algorithm, text(entry, "signature")) else {
            f.altered
                .push(format!("{key_id}: the signature is not well formed"));
            continue;
        };
        match algorithm {
            HMAC_SHA256 => check_hmac(&mut f, trust.hmac.as_ref(), key_id, &raw, s),
            ED25519 => check_ed25519(&mut f, trust, entry, key_id, &raw, s),
            other => f.unchecked.push(format!(
                "{key_id}: unsupported algorithm `{other}` (expected `{HMAC_SHA256}` or `{ED25519}`)"
            )),
        }
    }
    let ok = !f.trusted.is_empty() && f.altered.is_empty();
    let mut parts = Vec::new();
    if ok {
        parts.push(format!("valid, signed with {}", f.trusted.join(" and ")));
    } else if !f.altered.is_empty() {
        parts.push(format!("altered: {}", f.altered.join("; ")));
    } else if !f.unpinned.is_empty() {
        parts.push(format!(
            "unpinned: {} (pass the signer's public key with --public-key F to trust it)",
            f.unpinned.join("; ")
        ));
    } else if trust.hmac.is_none() && trust.public.is_empty() {
        parts.push(format!(
            "cannot check the signature: no trusted key (pass --public-key F for ed25519, or --key-file F / set {} for HMAC)",
            super::key::ENV_VAR
        ));
    }
    parts.extend(f.unchecked);
    if ok {
        parts.extend(f.unpinned.into_iter().map(|u| format!("also {u}")));
    }
    (ok, parts.join("; "))
}

fn check_hmac(f: &mut Findings, key: Option<&EvidenceKey>, key_id: &str, raw: &[u8], s: &Signed) {
    let Some(key) = key else {
        let path = super::key::default_path()
            .map_or_else(|_| "the key file".to_string(), |p| p.display().to_string());
        f.unchecked.push(format!(
            "{key_id}: not checked, no trusted evidence key (pass --key-file, set {}, or create {path})",
            super::key::ENV_VAR
        ));
        return;
    };
    let mine = Verifier::key_id(key);
    match (key.verify(s.content, raw), key_id == mine) {
        (true, true) => f.trusted.push(format!("{mine} (your evidence key)")),
        (true, false) => f.altered.push(format!(
            "key_id says {key_id} but the {} was signed with {mine}",
            s.what
        )),
        (false, false) => f.unchecked.push(format!(
            "signed with another HMAC key (key_id {key_id}, yours is {mine})"
        )),
        (false, true) if !s.hash_ok => f
            .altered
            .push("hash mismatch, the content changed after signing".to_string()),
        (false, true) => f
            .altered
            .push(format!("the {mine} signature does not match the content")),
    }
}

fn check_ed25519(
    f: &mut Findings,
    trust: &Trust,
    entry: &Map<String, Value>,
    key_id: &str,
    raw: &[u8],
    s: &Signed,
) {
    if let Some(pinned) = trust.public.iter().find(|k| k.verify(s.content, raw)) {
        f.trusted
            .push(format!("{} (pinned by --public-key)", pinned.key_id()));
        return;
    }
    if trust.public.iter().any(|k| k.key_id() == key_id) {
        let why = if s.hash_ok {
            "does not match the content"
        } else {
            "does not match: hash mismatch, the content changed after signing"
        };
        f.altered.push(format!("the {key_id} signature {why}"));
        return;
    }
    let embedded = entry
        .get("public_key")
        .and_then(Value::as_str)
        .and_then(Ed25519PublicKey::from_base64);
    match embedded {
        Some(k) if trust.public.is_empty() && k.verify(s.content, raw) && k.key_id() == key_id => {
            f.unpinned.push(format!(
                "{key_id} verifies only with the public key embedded in the {}",
                s.what
            ))
        }
        _ if trust.public.is_empty() => f.unchecked.push(format!(
            "{key_id}: not checked, no trusted public key and the embedded one does not verify"
        )),
        _ => f.unchecked.push(format!(
            "signed with another ed25519 key ({key_id}; trusted: {})",
            trust
                .public
                .iter()
                .map(|k| k.key_id())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The first 16 hex digits: enough to tell hashes apart in a message.
pub(super) fn short(hash: &str) -> &str {
    hash.get(..16).unwrap_or(hash)
}
