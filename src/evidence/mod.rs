//! Evidence packs (SPEC §5): the pack, canonical JSON, HMAC signing, verification, Markdown.

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("cannot read evidence pack {path}: {message}")]
    Unreadable { path: String, message: String },
}

impl EvidenceError {
    pub fn exit_code(&self) -> u8 {
        crate::error::exit::USAGE
    }
}
