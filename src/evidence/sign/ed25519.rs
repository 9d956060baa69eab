//! ed25519 keys: the private signing key (PKCS#8 PEM) and public keys (SPKI PEM) a verifier
//! trusts, with their key ids.

use super::{ED25519, Signer, Verifier};
use crate::evidence::EvidenceError;
use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// `ed25519:` + the first 16 hex digits of sha256 of the raw 32-byte public key.
pub fn key_id(public: &VerifyingKey) -> String {
    let digest = hex::encode(Sha256::digest(public.as_bytes()));
    format!("ed25519:{}", &digest[..16])
}

/// A private ed25519 key. Its Debug output names the key only.
#[derive(Clone)]
pub struct Ed25519Key {
    key: SigningKey,
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Ed25519Key({}, <redacted>)",
            key_id(&self.key.verifying_key())
        )
    }
}

impl Ed25519Key {
    /// A new key from the operating system's random source.
    pub fn generate() -> Ed25519Key {
        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        Ed25519Key {
            key: SigningKey::from_bytes(&seed),
        }
    }

    pub fn from_pkcs8_pem(pem: &str) -> Result<Ed25519Key, String> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|key| Ed25519Key { key })
            .map_err(|e| format!("not an ed25519 private key in PKCS#8 PEM ({e})"))
    }

    /// The private key as PKCS#8 v1 PEM (the 48-byte form OpenSSL writes, without the optional
    /// public key, which older readers refuse); the caller writes it with mode 0600.
    pub fn to_pkcs8_pem(&self) -> Result<zeroize::Zeroizing<String>, EvidenceError> {
        ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| EvidenceError::Key(format!("cannot encode the signing key: {e}")))
    }

    pub fn public(&self) -> Ed25519PublicKey {
        Ed25519PublicKey {
            key: self.key.verifying_key(),
        }
    }
}

impl Signer for Ed25519Key {
    fn algorithm(&self) -> &'static str {
        ED25519
    }

    fn key_id(&self) -> String {
        key_id(&self.key.verifying_key())
    }

    fn public_key(&self) -> Option<String> {
        Some(self.public().to_base64())
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, EvidenceError> {
        use ed25519_dalek::Signer as _;
        Ok(self.key.sign(message).to_bytes().to_vec())
    }
}

/// A public ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519PublicKey {
    key: VerifyingKey,
}

impl Ed25519PublicKey {
    pub fn from_spki_pem(pem: &str) -> Result<Ed25519PublicKey, String> {
        VerifyingKey::from_public_key_pem(pem)
            .map(|key| Ed25519PublicKey { key })
            .map_err(|e| format!("not an ed25519 public key in SPKI PEM ({e})"))
    }

    /// The raw 32-byte key, base64, as a pack embeds it.
    pub fn from_base64(text: &str) -> Option<Ed25519PublicKey> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        let arr: [u8; 32] = bytes.try_into().ok()?;
        VerifyingKey::from_bytes(&arr)
            .ok()
            .map(|key| Ed25519PublicKey { key })
    }

    pub fn to_spki_pem(&self) -> Result<String, EvidenceError> {
        self.key
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map_err(|e| EvidenceError::Key(format!("cannot encode the public key: {e}")))
    }

    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.as_bytes())
    }
}

impl Verifier for Ed25519PublicKey {
    fn algorithm(&self) -> &'static str {
        ED25519
    }

    fn key_id(&self) -> String {
        key_id(&self.key)
    }

    /// Strict verification: refuses small-order keys and non-canonical signatures.
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        let sig = ed25519_dalek::Signature::from_bytes(&bytes);
        self.key.verify_strict(message, &sig).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_sign_and_verify() {
        let k = Ed25519Key::generate();
        let pem = k.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = Ed25519Key::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(Signer::key_id(&back), Signer::key_id(&k));
        let public = Ed25519PublicKey::from_spki_pem(&k.public().to_spki_pem().unwrap()).unwrap();
        let sig = k.sign(b"message").unwrap();
        assert!(public.verify(b"message", &sig));
        assert!(!public.verify(b"messagf", &sig));
        assert!(!public.verify(b"message", &sig[..63]));
        let other = Ed25519Key::generate().public();
        assert!(!other.verify(b"message", &sig));
        assert_eq!(
            Ed25519PublicKey::from_base64(&k.public().to_base64()),
            Some(k.public())
        );
        assert!(!format!("{k:?}").contains(&hex::encode(k.key.to_bytes())));
        assert!(Verifier::key_id(&public).starts_with("ed25519:"));
    }

    /// RFC 8032 §7.1, test 2: a known key, message and signature.
    #[test]
    fn rfc8032_test_vector() {
        let seed: [u8; 32] =
            hex::decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
                .unwrap()
                .try_into()
                .unwrap();
        let k = Ed25519Key {
            key: SigningKey::from_bytes(&seed),
        };
        let sig = k.sign(&[0x72]).unwrap();
        assert_eq!(
            hex::encode(&sig),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da\
             085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        );
        assert_eq!(
            hex::encode(k.key.verifying_key().as_bytes()),
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
        );
    }
}
