//! The HMAC-SHA256 evidence key as a `Signer` and `Verifier`.

use super::{HMAC_SHA256, Signer, Verifier};
use crate::evidence::canonical;
use crate::evidence::{EvidenceError, EvidenceKey};
use hmac::Mac;

impl Signer for EvidenceKey {
    fn algorithm(&self) -> &'static str {
        HMAC_SHA256
    }

    fn key_id(&self) -> String {
        EvidenceKey::key_id(self)
    }

    fn public_key(&self) -> Option<String> {
        None
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, EvidenceError> {
        let mut mac = canonical::mac(self.bytes());
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier for EvidenceKey {
    fn algorithm(&self) -> &'static str {
        HMAC_SHA256
    }

    fn key_id(&self) -> String {
        EvidenceKey::key_id(self)
    }

    /// Constant-time comparison (`verify_slice`).
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let mut mac = canonical::mac(self.bytes());
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    }
}
