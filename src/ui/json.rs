//! `--json`: one JSON object per line on stdout, `run_finished` last; the same lines as
//! `events.jsonl`.

use crate::engine::{Envelope, Observer};
use std::io::Write;

pub struct JsonLines<W: Write + Send> {
    out: W,
}

impl JsonLines<std::io::Stdout> {
    pub fn stdout() -> Self {
        JsonLines {
            out: std::io::stdout(),
        }
    }
}

#[cfg(test)]
impl<W: Write + Send> JsonLines<W> {
    pub fn new(out: W) -> Self {
        JsonLines { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write + Send> Observer for JsonLines<W> {
    fn on_event(&mut self, event: &Envelope) -> Result<(), String> {
        // A closed stdout (e.g. `| head`) must not stop the run: the run folder and the
        // history still record every event.
        let _ = self
            .out
            .write_all(event.to_line().as_bytes())
            .and_then(|_| self.out.flush());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Activity, Event};

    #[test]
    fn one_object_per_line_with_run_id_seq_and_event_name() {
        let mut sink = JsonLines::new(Vec::new());
        let env = |seq, event| Envelope {
            run_id: "R".into(),
            seq,
            event,
        };
        sink.on_event(&env(1, Event::IterationStarted { n: 1 }))
            .unwrap();
        sink.on_activity(&Activity::ModelProgress {
            n: 1,
            output_tokens: 5,
        });
        sink.on_event(&env(
            2,
            Event::Notice {
                message: "hi".into(),
            },
        ))
        .unwrap();
        let text = String::from_utf8(sink.into_inner()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "activity stays off the JSON stream: {text}");
        assert_eq!(lines[0]["event"], "iteration_started");
        assert_eq!(lines[0]["run_id"], "R");
        assert_eq!(lines[1]["seq"], 2);
    }
}
