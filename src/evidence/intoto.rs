//! `forge evidence export --format in-toto`: a DSSE envelope (v1) around an in-toto Statement
//! v1 whose predicate summarises the run (SPEC §9; the fields are documented in the README).

use super::sign::Signer;
use super::{EvidenceError, EvidencePack};
use base64::Engine as _;
use serde::Serialize;
use serde_json::{Value, json};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// Names forge's converge predicate; its fields are listed in the README.
pub const PREDICATE_TYPE: &str = "https://forge.dev/attestation/converge/v1";
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// A DSSE envelope as its JSON form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    pub payload_type: String,
    /// The statement's bytes, base64.
    pub payload: String,
    pub signatures: Vec<EnvelopeSignature>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnvelopeSignature {
    pub keyid: String,
    /// base64
    pub sig: String,
}

/// DSSE v1's pre-authentication encoding: `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`,
/// lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// The in-toto Statement for a pack whose canonical content hashes to `pack_sha256`.
pub fn statement(pack: &EvidencePack, pack_sha256: &str) -> Value {
    let md = &pack.metadata;
    let raw = &pack.raw_evidence;
    let subject: Vec<Value> = raw
        .artifacts
        .iter()
        .map(|a| json!({"name": a.path, "digest": {"sha256": a.sha256}}))
        .collect();
    let validations: Vec<Value> = raw
        .iterations
        .last()
        .map(|it| {
            it.validations
                .iter()
                .map(|v| {
                    json!({
                        "name": v.name,
                        "kind": v.kind,
                        "command": v.command,
                        "exit_code": v.exit_code,
                        "timed_out": v.timed_out,
                        "skipped": v.skipped,
                        "score": v.score,
                        "output_sha256": v.output_sha256,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "run": {
                "id": md.run_id,
                "started_at": md.started_at,
                "finished_at": md.finished_at,
                "forge_version": md.forge_version,
            },
            "contract": {"name": md.contract.name, "sha256": md.contract.sha256},
            "llm": {"provider": md.llm.provider, "model": md.llm.model, "source": md.llm.source},
            "outcome": {
                "status": raw.outcome.status,
                "degraded": raw.outcome.degraded,
                "score": raw.metrics.final_score,
                "iterations": raw.metrics.total_iterations,
                "tokens": raw.metrics.tokens_used,
            },
            "validations": validations,
            "pack": {"schema": pack.schema, "sha256": pack_sha256},
        }
    })
}

/// Sign `statement` into a DSSE envelope.
pub fn envelope(statement: &Value, signer: &dyn Signer) -> Result<Envelope, EvidenceError> {
    let payload = serde_json::to_vec(statement).map_err(EvidenceError::Serialize)?;
    let sig = signer.sign(&pae(PAYLOAD_TYPE, &payload))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    Ok(Envelope {
        payload_type: PAYLOAD_TYPE.to_string(),
        payload: b64.encode(&payload),
        signatures: vec![EnvelopeSignature {
            keyid: signer.key_id(),
            sig: b64.encode(sig),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the DSSE v1 protocol document.
    #[test]
    fn pae_matches_the_dsse_spec() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }
}
