//! Parsing the model's answer into file edits, applying them, and refusing the unsafe or wrong
//! ones with a reason the model is told (SPEC §3).

mod apply;
mod blocks;
mod diff;
mod elide;
mod fence;
mod indent;
mod invariant;
mod limits;
mod matching;
mod normalise;
mod parse;
mod pathline;
mod paths;

pub use apply::{AppliedEdit, ApplyReport, MissedSearch, apply};
pub use limits::{MAX_ANSWER_BYTES, MAX_FILES_PER_ANSWER};
pub use parse::{ANSWER, Hunk, ProposedEdit, parse};
pub use paths::{Refusal, RelPath, check_path, stays_inside};
