//! Consumers of engine events: progress on a terminal, plain lines, and the `--json` stream.

mod json;
mod plain;
mod progress;
mod summary;

pub use json::JsonLines;
pub use plain::PlainLines;
pub use progress::ProgressDisplay;

use crate::engine::{Envelope, Observer};
use std::io::IsTerminal;

/// How a run shows itself, chosen from the global flags and whether stderr is a terminal.
pub fn observer_for(json: bool, quiet: bool, no_progress: bool) -> Box<dyn Observer> {
    if json {
        Box::new(JsonLines::stdout())
    } else if quiet {
        Box::new(Silent)
    } else if !no_progress && std::io::stderr().is_terminal() {
        Box::new(ProgressDisplay::new())
    } else {
        Box::new(PlainLines::stderr())
    }
}

/// `--quiet`: errors only, and those are printed by the CLI, not by the event stream.
struct Silent;

impl Observer for Silent {
    fn on_event(&mut self, _event: &Envelope) -> Result<(), String> {
        Ok(())
    }
}

/// `1.2s`, `340ms`: durations as people read them in a progress line.
pub(crate) fn human_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// PASS / FAIL / TIMEOUT / SKIP for a validator line.
pub(crate) fn verdict(exit_code: Option<i32>, timed_out: bool, skipped: bool) -> &'static str {
    if skipped {
        "SKIP"
    } else if timed_out {
        "TIMEOUT"
    } else if exit_code == Some(0) {
        "PASS"
    } else {
        "FAIL"
    }
}

pub(crate) fn styled_verdict(v: &'static str) -> console::StyledObject<&'static str> {
    let s = console::style(v).for_stderr();
    match v {
        "PASS" => s.green(),
        "SKIP" => s.yellow(),
        _ => s.red(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_durations() {
        assert_eq!(super::human_ms(340), "340ms");
        assert_eq!(super::human_ms(1250), "1.2s");
        assert_eq!(super::human_ms(125_000), "2m05s");
    }
}
