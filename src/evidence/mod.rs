//! Evidence packs (SPEC §5): the pack, canonical JSON, HMAC signing, verification, Markdown.

pub mod canonical;
mod fold;
mod key;
mod markdown;
mod model;
mod sign;
pub mod synthesis;
mod verify;
mod write;

pub use fold::{build, fold_raw, rebuild};
pub use key::{ENV_VAR as KEY_ENV_VAR, EvidenceKey, default_path as default_key_path};
pub use markdown::render_markdown;
pub use model::*;
pub use sign::sign;
pub use verify::{Check, VerifyReport, verify};
pub use write::{JSON_FILE, MARKDOWN_FILE, PackPaths, read_pack, write_pack};

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("cannot read evidence pack {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("evidence key file {path}: {message}")]
    KeyFile {
        path: String,
        missing: bool,
        message: String,
    },
    #[error("evidence key: {0}")]
    Key(String),
    #[error("cannot serialize the evidence pack: {0}")]
    Serialize(serde_json::Error),
    #[error("cannot sign the evidence pack: {0}")]
    Unsignable(String),
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}
