//! The mask key: a per-root secret in `.forge/privacy.key` (mode 0600) that makes each
//! placeholder stable for the same value within a root and unguessable from outside it.

use super::PrivacyError;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const KEY_FILE_NAME: &str = "privacy.key";
const KEY_BYTES: usize = 32;

/// 32 secret bytes. Debug never shows them.
#[derive(Clone)]
pub struct MaskKey {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for MaskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MaskKey(<redacted>)")
    }
}

pub fn key_path(root: &Path) -> PathBuf {
    crate::layout::forge_dir(root).join(KEY_FILE_NAME)
}

impl MaskKey {
    #[cfg(test)]
    pub fn from_bytes(bytes: Vec<u8>) -> MaskKey {
        MaskKey { bytes }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The root's key, created (0600) the first time one is needed. Two forge processes
    /// creating it at once agree on one: the file is published with a link that cannot replace.
    pub fn for_root(root: &Path) -> Result<MaskKey, PrivacyError> {
        let path = key_path(root);
        match read(&path) {
            Err(PrivacyError::Key { missing: true, .. }) => create(&path),
            other => other,
        }
    }
}

fn key_error(path: &Path, message: impl Into<String>, missing: bool) -> PrivacyError {
    PrivacyError::Key {
        path: path.display().to_string(),
        message: message.into(),
        missing,
    }
}

fn read(path: &Path) -> Result<MaskKey, PrivacyError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let missing = e.kind() == std::io::ErrorKind::NotFound;
        key_error(path, e.to_string(), missing)
    })?;
    match hex::decode(text.trim()) {
        Ok(bytes) if bytes.len() == KEY_BYTES => Ok(MaskKey { bytes }),
        _ => Err(key_error(
            path,
            format!(
                "expected {} hex digits; delete it to make a new key (placeholders then change)",
                KEY_BYTES * 2
            ),
            false,
        )),
    }
}

fn create(path: &Path) -> Result<MaskKey, PrivacyError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |e: std::io::Error| key_error(path, e.to_string(), false);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut bytes = vec![0u8; KEY_BYTES];
    rand::fill(&mut bytes[..]);
    let tmp = dir.join(format!(".{KEY_FILE_NAME}.{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io)?;
    let written = file
        .write_all(format!("{}\n", hex::encode(&bytes)).as_bytes())
        .and_then(|()| file.sync_all());
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(MaskKey { bytes }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = MaskKey::for_root(dir.path()).unwrap();
        let path = key_path(dir.path());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let b = MaskKey::for_root(dir.path()).unwrap();
        assert_eq!(a.bytes(), b.bytes());
        assert_eq!(format!("{a:?}"), "MaskKey(<redacted>)");
    }

    #[test]
    fn a_damaged_key_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = key_path(dir.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "not hex").unwrap();
        let e = MaskKey::for_root(dir.path()).unwrap_err().to_string();
        assert!(e.contains("privacy.key") && e.contains("hex digits"), "{e}");
    }
}
