//! forge: converge LLM-written code on an Answer Contract, with real validators and signed evidence.
// Output goes through cli::output, which ends quietly on a closed pipe (clippy.toml lists the
// print macros, which panic there instead).
#![deny(clippy::disallowed_macros)]

pub mod approval;
pub mod cli;
pub mod contract;
pub mod edits;
pub mod engine;
pub mod error;
pub mod evidence;
pub(crate) mod fsutil;
pub mod history;
pub mod layout;
pub mod llm;
pub mod metrics;
pub mod privacy;
pub mod run_folder;
pub mod sandbox;
pub mod serve;
pub(crate) mod sha;
pub mod term;
pub(crate) mod timestamp;
pub(crate) mod ui;
pub mod validate;
pub mod workspace;

pub use error::Error;

/// The version written into evidence packs and printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
