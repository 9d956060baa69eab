//! forge: converge LLM-written code on an Answer Contract, with real validators and signed evidence.

pub mod cli;
pub mod contract;
pub mod edits;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod fsutil;
pub mod history;
pub mod layout;
pub mod llm;
pub mod metrics;
pub mod serve;
pub mod timestamp;
pub mod ui;
pub mod validate;
pub mod workspace;

pub use error::Error;

/// The version written into evidence packs and printed by `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
