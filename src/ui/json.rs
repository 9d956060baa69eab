//! `--json`: one JSON object per line on stdout, `run_finished` last.

use crate::engine::{Event, EventSink};
use std::io::Write;
use std::sync::Mutex;

pub struct JsonLines<W: Write + Send> {
    out: Mutex<W>,
}

impl JsonLines<std::io::Stdout> {
    pub fn stdout() -> Self {
        JsonLines {
            out: Mutex::new(std::io::stdout()),
        }
    }
}

impl<W: Write + Send> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines {
            out: Mutex::new(out),
        }
    }

    pub fn into_inner(self) -> W {
        match self.out.into_inner() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

impl<W: Write + Send> EventSink for JsonLines<W> {
    fn emit(&self, event: &Event) {
        if !event.is_public() {
            return;
        }
        let Ok(line) = serde_json::to_string(event) else {
            return;
        };
        let mut out = match self.out.lock() {
            Ok(o) => o,
            Err(poisoned) => poisoned.into_inner(),
        };
        // A closed stdout (e.g. `| head`) must not stop the run; the history still records it.
        let _ = writeln!(out, "{line}").and_then(|_| out.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_per_line_with_event_name() {
        let sink = JsonLines::new(Vec::new());
        sink.emit(&Event::IterationStarted { n: 1 });
        sink.emit(&Event::ModelProgress {
            n: 1,
            output_tokens: 5,
        });
        sink.emit(&Event::ValidatorFinished {
            n: 1,
            name: "tests".into(),
            exit_code: Some(0),
            timed_out: false,
            duration_ms: 12,
            score: 1.0,
            skipped: false,
        });
        let text = String::from_utf8(sink.into_inner()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(
            lines.len(),
            2,
            "progress events stay off the JSON stream: {text}"
        );
        assert_eq!(lines[0]["event"], "iteration_started");
        assert_eq!(lines[1]["event"], "validator_finished");
        assert!(lines[1].get("skipped").is_none());
    }
}
