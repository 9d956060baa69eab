//! The generate → validate → refine loop as a library (SPEC §3, §6).
//!
//! [`start`] begins a run and returns a [`RunHandle`]. The run goes propose → apply → evaluate
//! → decide until a stop rule fires, and tells everything it does as typed [`Event`]s through
//! one [`EventLog`] (each with `run_id` and a `seq` from 1). Consumers ([`Observer`]s) turn
//! the events into terminal output, `--json`, history rows, `events.jsonl` and the evidence
//! pack; the engine calls none of them directly.

mod apply;
mod breaker;
mod decide;
mod evaluate;
mod events;
mod failure;
mod feedback;
mod files;
mod finish;
mod log;
mod prompt;
mod propose;
mod review;
mod run;
mod start;
mod stop;

pub use events::{
    Activity, AnswerApplied, AnswerSource, Artifact, CassetteRef, ContractInfo, Edit, Envelope,
    Event, LlmInfo, ModelCall, total_cost,
};
pub use failure::RunFailure;
pub use log::{EventLog, Observer};
pub use run::{RunOutcome, RunSettings};
pub use start::{RunHandle, RunRequest, start, start_with_id};
pub use stop::{StopReason, StopRules};
