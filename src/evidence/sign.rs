//! Filling in a pack's `integrity` block: canonical hash plus HMAC-SHA256 signature.

use super::canonical::{self, ALGORITHM, CANONICALIZATION};
use super::{EvidenceError, EvidenceKey, EvidencePack, Integrity};
use hmac::Mac;

/// Hash and sign `pack` with `key`, replacing any `integrity` it had.
pub fn sign(pack: &mut EvidencePack, key: &EvidenceKey) -> Result<(), EvidenceError> {
    pack.integrity = None;
    let value = serde_json::to_value(&*pack).map_err(EvidenceError::Serialize)?;
    // serde_json turns NaN and infinities into null, which would then not read back as a pack:
    // refuse to sign something verify would reject.
    serde_json::from_value::<EvidencePack>(value.clone()).map_err(|e| {
        EvidenceError::Unsignable(format!(
            "the pack does not survive JSON (a NaN or infinite number?): {e}"
        ))
    })?;
    let bytes = canonical::signed_bytes(&value).map_err(EvidenceError::Serialize)?;
    let mut mac = canonical::mac(key.bytes());
    mac.update(&bytes);
    pack.integrity = Some(Integrity {
        canonicalization: CANONICALIZATION.to_string(),
        sha256: canonical::sha256_hex(&bytes),
        algorithm: ALGORITHM.to_string(),
        key_id: key.key_id(),
        signature: hex::encode(mac.finalize().into_bytes()),
    });
    Ok(())
}
