//! The privacy guard (SPEC §10): find secrets and personal data, mask them with stable
//! placeholders before a model sees them and map the placeholders back in its answers, block,
//! or record; and `forge scan` over files.

mod allow;
mod checks;
mod detect;
mod finding;
mod guard;
mod key;
mod kind;
mod mask;
mod rules;
mod scan;
mod sources;

pub use allow::{AllowList, parse_entry as parse_allow_entry};
pub use detect::{ALLOW_MARKER, Detector, Hit};
pub use finding::{Action, Finding};
pub use guard::{Guard, Guarded};
pub use key::{KEY_FILE_NAME, MaskKey};
pub use kind::{Category, Kind};
pub use scan::{FileFinding, MAX_FILE_BYTES, ScanReport, ScanRequest, Skipped, scan};

#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// `block` mode met a value: nothing has been sent.
    #[error(
        "{file}:{line}: {kind} would be sent to the model and privacy.{setting} is `block`; nothing was sent\n  help: remove it, allow it with privacy.allow, or set privacy.{setting}: mask",
        setting = match kind.category() { Category::Secret => "secrets", Category::Pii => "pii" }
    )]
    Blocked {
        /// The file (root-relative) or part of the prompt the value is in.
        file: String,
        line: usize,
        kind: Kind,
    },
    #[error("privacy key {path}: {message}")]
    Key {
        path: String,
        message: String,
        missing: bool,
    },
    #[error("invalid privacy.allow pattern: {0}")]
    Allow(String),
    #[error("cannot scan {path}: {message}")]
    Scan { path: String, message: String },
    #[error("the built-in privacy rules do not compile (a bug in forge): {0}")]
    Rules(String),
}
