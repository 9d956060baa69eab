//! Evidence packs (SPEC §5, §9): the pack, canonical JSON, signing, verification, Markdown.

mod artifacts;
pub mod canonical;
pub mod chain;
mod fold;
pub mod input;
pub mod intoto;
mod key;
mod markdown;
mod model;
pub mod recheck;
pub mod sign;
pub mod signing_key;
pub mod synthesis;
mod verify;
mod write;

pub use fold::{build, fold_raw, rebuild};
pub use key::{ENV_VAR as KEY_ENV_VAR, EvidenceKey, default_path as default_key_path};
pub use markdown::render_markdown;
pub use model::*;
pub use sign::{Signers, seal, sign};
pub use verify::{Check, Trust, VerifyReport, verify};
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
    /// The pack's content no longer matches its own hash.
    #[error("{0}")]
    Altered(String),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    /// Something that is never replaced is already there.
    #[error("{0}")]
    Exists(String),
}
