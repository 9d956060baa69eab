//! The generate → validate → refine loop, its stop rules and circuit breakers (SPEC §3).

pub mod breaker;
pub mod events;
pub mod feedback;
pub mod files;
pub mod prompt;
pub mod stop;

pub use events::{Event, EventSink};
pub use stop::{StopReason, StopRules};
mod finish;
pub mod review;
pub mod run;
pub mod trail;

pub use run::{Engine, RunOutcome, RunSettings};
