//! Parsing the model's answer into file edits, and refusing the unsafe ones (SPEC §3).

mod apply;
mod matching;
mod parse;
mod paths;

pub use apply::{AppliedEdit, ApplyReport, MissedSearch, apply};
pub use parse::{ProposedEdit, parse};
pub use paths::{Refusal, RelPath, check_path, stays_inside};
