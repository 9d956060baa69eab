//! A finding as it is recorded (event, pack, `--json`): what kind, where, how many, what was
//! done. Never the value.

use super::kind::{Category, Kind};
use serde::{Deserialize, Serialize};

/// What the guard did with the values it found.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Sent as it is and recorded (`detect`).
    Detected,
    /// Replaced by a placeholder before sending (`mask`).
    Masked,
    /// Stopped the run before any call (`block`).
    Blocked,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Detected => "detected",
            Action::Masked => "masked",
            Action::Blocked => "blocked",
        }
    }
}

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct Finding {
    pub kind: Kind,
    pub category: Category,
    /// The file the value is in (root-relative), or the part of the prompt: `task`,
    /// `validator <name>`, `answer`, `prompt`, `system`.
    pub source: String,
    /// 1-based line within that file or part.
    pub line: usize,
    /// How many values of this kind are on that line.
    pub count: usize,
    pub action: Action,
}
