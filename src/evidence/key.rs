//! The evidence key: where it comes from, how it is named (key_id), and never printing it.
//!
//! Sources, first found wins: `--key-file F` (the file's bytes are the key), then
//! `FORGE_EVIDENCE_KEY` (hex-decoded when the whole value is an even number of hex digits,
//! otherwise its raw bytes), then `$XDG_CONFIG_HOME/forge/evidence.key` (raw bytes). Only
//! signing creates the last one (32 random bytes, mode 0600); verifying never does.

use super::EvidenceError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "FORGE_EVIDENCE_KEY";
pub const KEY_FILE_NAME: &str = "evidence.key";

/// A secret HMAC key. Its Debug output is redacted; only `key_id` may be shown.
#[derive(Clone)]
pub struct EvidenceKey {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for EvidenceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EvidenceKey({}, <redacted>)", self.key_id())
    }
}

impl EvidenceKey {
    /// A key from its bytes; empty keys are refused.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<EvidenceKey, EvidenceError> {
        if bytes.is_empty() {
            return Err(EvidenceError::Key("the evidence key is empty".to_string()));
        }
        Ok(EvidenceKey { bytes })
    }

    /// `hmac-sha256:` + the first 16 hex digits of sha256("forge-key-id" || key): names the key
    /// without revealing it.
    pub fn key_id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"forge-key-id");
        h.update(&self.bytes);
        let digest = hex::encode(h.finalize());
        format!("hmac-sha256:{}", &digest[..16])
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key to sign with, creating the default key file if no key exists anywhere yet.
    pub fn for_signing(key_file: Option<&Path>) -> Result<EvidenceKey, EvidenceError> {
        if let Some(key) = Self::configured(key_file)? {
            return Ok(key);
        }
        let path = default_path()?;
        match read_key_file(&path) {
            Ok(key) => Ok(key),
            Err(EvidenceError::KeyFile { missing: true, .. }) => create_key_file(&path),
            Err(e) => Err(e),
        }
    }

    /// The key to verify with, if there is one. Never creates a key.
    pub fn for_verifying(key_file: Option<&Path>) -> Result<Option<EvidenceKey>, EvidenceError> {
        if let Some(key) = Self::configured(key_file)? {
            return Ok(Some(key));
        }
        let Ok(path) = default_path() else {
            return Ok(None);
        };
        match read_key_file(&path) {
            Ok(key) => Ok(Some(key)),
            Err(EvidenceError::KeyFile { missing: true, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `--key-file`, else `FORGE_EVIDENCE_KEY`.
    fn configured(key_file: Option<&Path>) -> Result<Option<EvidenceKey>, EvidenceError> {
        if let Some(path) = key_file {
            return read_key_file(path).map(Some);
        }
        match std::env::var_os(ENV_VAR) {
            Some(v) if !v.is_empty() => {
                use std::os::unix::ffi::OsStrExt;
                Self::from_env_value(v.as_bytes()).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn from_env_value(v: &[u8]) -> Result<EvidenceKey, EvidenceError> {
        let is_hex = v.len() % 2 == 0 && v.iter().all(u8::is_ascii_hexdigit);
        let bytes = if is_hex {
            hex::decode(v).unwrap_or_else(|_| v.to_vec())
        } else {
            v.to_vec()
        };
        Self::from_bytes(bytes).map_err(|_| EvidenceError::Key(format!("{ENV_VAR} is empty")))
    }
}

/// `$XDG_CONFIG_HOME/forge/evidence.key`.
pub fn default_path() -> Result<PathBuf, EvidenceError> {
    crate::layout::config_dir()
        .map(|d| d.join(KEY_FILE_NAME))
        .ok_or_else(|| {
            EvidenceError::Key(
                "no place for the evidence key: neither XDG_CONFIG_HOME nor HOME is set"
                    .to_string(),
            )
        })
}

/// A key file is small and regular: a FIFO or device given as a key must not hang or flood.
const KEY_FILE_CAP: super::input::Limit = super::input::Limit(64 * 1024);

fn read_key_file(path: &Path) -> Result<EvidenceKey, EvidenceError> {
    use super::input::InputError;
    let bytes =
        super::input::read_regular(path, KEY_FILE_CAP).map_err(|e| EvidenceError::KeyFile {
            path: path.display().to_string(),
            missing: matches!(&e, InputError::Io(io) if io.kind() == std::io::ErrorKind::NotFound),
            message: e.to_string(),
        })?;
    EvidenceKey::from_bytes(bytes).map_err(|_| EvidenceError::KeyFile {
        path: path.display().to_string(),
        missing: false,
        message: "the file is empty".to_string(),
    })
}

/// Write 32 random bytes with mode 0600, without ever replacing a key another forge created a
/// moment earlier (link-based no-clobber rename); in that race the other key is used.
fn create_key_file(path: &Path) -> Result<EvidenceKey, EvidenceError> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let fail =
        |e: std::io::Error| EvidenceError::Key(format!("cannot create {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut bytes = vec![0u8; 32];
    rand::fill(&mut bytes[..]);
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-key-")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(&bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => EvidenceKey::from_bytes(bytes),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(e) => Err(fail(e.error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_key_id_is_stable_and_distinct() {
        let k = EvidenceKey::from_bytes(b"super-secret-key-material".to_vec()).unwrap();
        let dbg = format!("{k:?}");
        assert!(!dbg.contains("super-secret"), "{dbg}");
        assert!(dbg.contains("redacted"));
        assert_eq!(k.key_id(), k.clone().key_id());
        assert!(k.key_id().starts_with("hmac-sha256:") && k.key_id().len() == 12 + 16);
        let other = EvidenceKey::from_bytes(b"another".to_vec()).unwrap();
        assert_ne!(k.key_id(), other.key_id());
    }

    #[test]
    fn env_value_is_hex_decoded_only_when_it_is_all_hex() {
        let hex_key = EvidenceKey::from_env_value(b"00ff10").unwrap();
        assert_eq!(hex_key.bytes(), &[0x00, 0xff, 0x10]);
        let raw = EvidenceKey::from_env_value(b"not hex!").unwrap();
        assert_eq!(raw.bytes(), b"not hex!");
        let odd = EvidenceKey::from_env_value(b"abc").unwrap();
        assert_eq!(odd.bytes(), b"abc");
        assert!(EvidenceKey::from_bytes(Vec::new()).is_err());
    }

    #[test]
    fn created_key_file_is_32_bytes_mode_0600_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("forge/evidence.key");
        let k1 = create_key_file(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap().len(), 32);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let k2 = create_key_file(&path).unwrap();
        assert_eq!(
            k1.key_id(),
            k2.key_id(),
            "an existing key is never replaced"
        );
    }
}
