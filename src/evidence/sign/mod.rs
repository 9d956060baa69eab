//! The seam between a pack and whatever signs it: `Signer` and `Verifier`, HMAC and ed25519
//! behind them, and `sign`, which seals a finished pack (SPEC §9).
//!
//! A KMS or Sigstore signer is one more `Signer` implementation; the engine only ever hands
//! `sign` a set of signers it was given.

mod ed25519;
mod hmac;

pub use ed25519::{Ed25519Key, Ed25519PublicKey};

use super::canonical::{self, CANONICALIZATION};
use super::{EvidenceError, EvidenceKey, EvidencePack, Integrity, SCHEMA, Signature};
use base64::Engine as _;

pub const HMAC_SHA256: &str = "hmac-sha256";
pub const ED25519: &str = "ed25519";

/// Something that can sign bytes under a named key.
pub trait Signer {
    /// The `algorithm` written beside the signature.
    fn algorithm(&self) -> &'static str;
    /// Names the key without revealing anything secret.
    fn key_id(&self) -> String;
    /// The public key to embed as a hint (base64), for algorithms that have one.
    fn public_key(&self) -> Option<String>;
    /// The raw signature of `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, EvidenceError>;
}

/// Something that can check a signature under one key it trusts.
pub trait Verifier {
    fn algorithm(&self) -> &'static str;
    fn key_id(&self) -> String;
    /// Whether `signature` (raw bytes) is this key's signature of `message`.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool;
}

/// The signers a run seals its pack with: the HMAC evidence key always, ed25519 when a signing
/// key is configured. Built once, before the run (a server clones them for each run).
#[derive(Debug, Clone)]
pub struct Signers {
    hmac: EvidenceKey,
    ed25519: Option<Ed25519Key>,
}

impl Signers {
    pub fn new(hmac: EvidenceKey, ed25519: Option<Ed25519Key>) -> Signers {
        Signers { hmac, ed25519 }
    }

    /// The evidence key for signing (created when missing) and the ed25519 signing key when
    /// one is configured (`--signing-key`, `FORGE_SIGNING_KEY`, or the default file).
    pub fn resolve(
        key_file: Option<&std::path::Path>,
        signing_key: Option<&std::path::Path>,
    ) -> Result<Signers, EvidenceError> {
        Ok(Signers {
            hmac: EvidenceKey::for_signing(key_file)?,
            ed25519: super::signing_key::resolve(signing_key)?,
        })
    }

    pub fn ed25519(&self) -> Option<&Ed25519Key> {
        self.ed25519.as_ref()
    }
}

/// Anything `sign` can take the signers from.
pub trait SignerSet {
    fn signers(&self) -> Vec<&dyn Signer>;
}

impl SignerSet for Signers {
    fn signers(&self) -> Vec<&dyn Signer> {
        let mut all: Vec<&dyn Signer> = vec![&self.hmac];
        if let Some(k) = &self.ed25519 {
            all.push(k);
        }
        all
    }
}

impl SignerSet for EvidenceKey {
    fn signers(&self) -> Vec<&dyn Signer> {
        vec![self]
    }
}

/// Hash and sign `pack` with every signer, replacing any `integrity` it had; the pack becomes
/// the current schema.
pub fn sign(pack: &mut EvidencePack, signers: &impl SignerSet) -> Result<(), EvidenceError> {
    pack.integrity = None;
    pack.schema = SCHEMA.to_string();
    let value = serde_json::to_value(&*pack).map_err(EvidenceError::Serialize)?;
    // serde_json turns NaN and infinities into null, which would then not read back as a pack:
    // refuse to sign something verify would reject.
    serde_json::from_value::<EvidencePack>(value.clone()).map_err(|e| {
        EvidenceError::Unsignable(format!(
            "the pack does not survive JSON (a NaN or infinite number?): {e}"
        ))
    })?;
    pack.integrity = Some(integrity(&value, signers)?);
    Ok(())
}

/// The integrity block of any signed record (a pack, an approval): the canonical JSON
/// (RFC 8785) of `record` without its `integrity`, that JSON's sha256, and every signer's
/// signature over the same bytes.
pub fn integrity(
    record: &serde_json::Value,
    signers: &impl SignerSet,
) -> Result<Integrity, EvidenceError> {
    let bytes = canonical::signed_bytes(record).map_err(EvidenceError::Serialize)?;
    let signatures = signers
        .signers()
        .into_iter()
        .map(|s| signature_entry(s, &bytes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Integrity {
        canonicalization: CANONICALIZATION.to_string(),
        sha256: canonical::sha256_hex(&bytes),
        signatures,
    })
}

/// Sign `pack` as the next link of its root's evidence chain and write it into `run_dir`: in
/// one history write transaction, name the chain's head as `metadata.previous`, sign, write
/// evidence.json and evidence.md, and record this pack as the new head. Concurrent runs of the
/// same root thus still form one chain, and a pack that could not be written never joins it.
pub fn seal(
    pack: &mut EvidencePack,
    signers: &impl SignerSet,
    history: &crate::history::History,
    run_dir: &std::path::Path,
) -> Result<super::PackPaths, EvidenceError> {
    let run_id = pack.metadata.run_id.clone();
    let mut paths = None;
    history.chain_pack(&run_id, |previous| {
        pack.metadata.previous = previous;
        sign(pack, signers)?;
        paths = Some(super::write_pack(run_dir, pack)?);
        pack.integrity
            .as_ref()
            .map(|i| i.sha256.clone())
            .ok_or_else(|| EvidenceError::Unsignable("signing left no integrity block".to_string()))
    })?;
    paths.ok_or_else(|| EvidenceError::Unsignable("the pack was not written".to_string()))
}

fn signature_entry(signer: &dyn Signer, bytes: &[u8]) -> Result<Signature, EvidenceError> {
    let raw = signer.sign(bytes)?;
    Ok(Signature {
        algorithm: signer.algorithm().to_string(),
        key_id: signer.key_id(),
        public_key: signer.public_key(),
        signature: encode_signature(signer.algorithm(), &raw),
    })
}

/// How a signature is written in a pack: hex for HMAC (as v1 did), base64 otherwise.
pub fn encode_signature(algorithm: &str, raw: &[u8]) -> String {
    if algorithm == HMAC_SHA256 {
        hex::encode(raw)
    } else {
        base64::engine::general_purpose::STANDARD.encode(raw)
    }
}

/// The raw bytes of a signature as written in a pack, or None when it is not well formed.
pub fn decode_signature(algorithm: &str, text: &str) -> Option<Vec<u8>> {
    if algorithm == HMAC_SHA256 {
        hex::decode(text).ok()
    } else {
        base64::engine::general_purpose::STANDARD.decode(text).ok()
    }
}
