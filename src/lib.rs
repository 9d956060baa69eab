//! forge: converge LLM-written code on an Answer Contract, with real validators and signed evidence.

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
pub mod run_folder;
pub mod serve;
pub(crate) mod sha;
pub(crate) mod timestamp;
pub(crate) mod ui;
pub mod validate;
pub mod workspace;

pub use error::Error;

/// The version written into evidence packs and printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
