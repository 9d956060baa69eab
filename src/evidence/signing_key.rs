//! The ed25519 signing key on disk: `forge key generate`, and which key a run signs with
//! (`--signing-key F` > `FORGE_SIGNING_KEY` > the default file, if it exists).

use super::EvidenceError;
use super::input::{self, Limit};
use super::sign::{Ed25519Key, Ed25519PublicKey};
use std::path::{Path, PathBuf};

pub const ENV_VAR: &str = "FORGE_SIGNING_KEY";
pub const PRIVATE_FILE: &str = "forge-signing.key";
pub const PUBLIC_FILE: &str = "forge-signing.pub";

/// A key file is small; anything bigger is not a key.
const KEY_FILE_CAP: u64 = 64 * 1024;

/// `$XDG_CONFIG_HOME/forge`, where `key generate` writes by default.
pub fn default_dir() -> Result<PathBuf, EvidenceError> {
    crate::layout::config_dir().ok_or_else(|| {
        EvidenceError::Key(
            "no place for the signing key: neither XDG_CONFIG_HOME nor HOME is set (use --out DIR)"
                .to_string(),
        )
    })
}

/// The signing key to use, if any: the flag, else the environment (a path), else the default
/// file when it exists. A key that is named but cannot be read is an error, never skipped.
pub fn resolve(flag: Option<&Path>) -> Result<Option<Ed25519Key>, EvidenceError> {
    if let Some(path) = flag {
        return load_private(path).map(Some);
    }
    if let Some(v) = std::env::var_os(ENV_VAR).filter(|v| !v.is_empty()) {
        return load_private(Path::new(&v)).map(Some);
    }
    let Ok(dir) = default_dir() else {
        return Ok(None);
    };
    let path = dir.join(PRIVATE_FILE);
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => load_private(&path).map(Some),
    }
}

/// How to get a signing key, for messages that need one.
pub fn how_to_make_one() -> String {
    format!(
        "create one with `forge key generate`, then pass --signing-key F or set {ENV_VAR} (the default {} is used when it exists)",
        default_dir()
            .map(|d| d.join(PRIVATE_FILE).display().to_string())
            .unwrap_or_else(|_| format!("$XDG_CONFIG_HOME/forge/{PRIVATE_FILE}"))
    )
}

pub fn load_private(path: &Path) -> Result<Ed25519Key, EvidenceError> {
    let text = read_key_text(path)?;
    Ed25519Key::from_pkcs8_pem(&text).map_err(|message| key_file_error(path, message))
}

pub fn load_public(path: &Path) -> Result<Ed25519PublicKey, EvidenceError> {
    let text = read_key_text(path)?;
    Ed25519PublicKey::from_spki_pem(&text).map_err(|message| key_file_error(path, message))
}

fn read_key_text(path: &Path) -> Result<String, EvidenceError> {
    let bytes = input::read_regular(path, Limit(KEY_FILE_CAP))
        .map_err(|e| key_file_error(path, e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| key_file_error(path, "not a PEM text file".to_string()))
}

fn key_file_error(path: &Path, message: String) -> EvidenceError {
    EvidenceError::KeyFile {
        path: path.display().to_string(),
        missing: false,
        message,
    }
}

/// Where `generate` wrote the pair.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub private: PathBuf,
    pub public: PathBuf,
    pub key_id: String,
}

/// Write a new pair into `dir`: the private key with mode 0600, the public key 0644. Neither
/// file may exist already (a key is never replaced: packs signed with it would lose their
/// verifier).
pub fn generate(dir: &Path) -> Result<GeneratedKey, EvidenceError> {
    use super::sign::Signer;
    let private = dir.join(PRIVATE_FILE);
    let public = dir.join(PUBLIC_FILE);
    for p in [&private, &public] {
        if std::fs::symlink_metadata(p).is_ok() {
            return Err(EvidenceError::Exists(format!(
                "{} already exists; a signing key is never replaced (move it away first, or use --out DIR)",
                p.display()
            )));
        }
    }
    let key = Ed25519Key::generate();
    let pem = key.to_pkcs8_pem()?;
    let public_pem = key.public().to_spki_pem()?;
    let write_err = |p: &Path, e: std::io::Error| EvidenceError::Write {
        path: p.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    write_new(&private, pem.as_bytes(), 0o600).map_err(|e| write_err(&private, e))?;
    if let Err(e) = write_new(&public, public_pem.as_bytes(), 0o644) {
        let _ = std::fs::remove_file(&private);
        return Err(write_err(&public, e));
    }
    Ok(GeneratedKey {
        private,
        public,
        key_id: key.key_id(),
    })
}

/// Create `path` with `mode` from the first byte (never world-readable in between), failing if
/// it appeared meanwhile.
fn write_new(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-key-")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}
