//! Progress on a terminal: an iteration bar with the best score, a token spinner while the model
//! writes, a line per validator, and the summary table at the end.

use super::plain::line_for;
use super::summary::IterationRow;
use crate::engine::{Event, EventSink};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::Duration;

pub struct ProgressDisplay {
    multi: MultiProgress,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    bar: Option<ProgressBar>,
    spinner: Option<ProgressBar>,
    rows: Vec<IterationRow>,
}

impl ProgressDisplay {
    pub fn new() -> Self {
        ProgressDisplay {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            state: Mutex::new(State::default()),
        }
    }
}

impl Default for ProgressDisplay {
    fn default() -> Self {
        Self::new()
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

impl EventSink for ProgressDisplay {
    fn emit(&self, event: &Event) {
        let mut st = match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match event {
            Event::RunStarted { max_iterations, .. } => {
                if let Some(line) = line_for(event, &mut st.rows) {
                    let _ = self.multi.println(line);
                }
                let bar = self.multi.add(ProgressBar::new(u64::from(*max_iterations)));
                bar.set_style(style(
                    "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} iterations  {msg}",
                ));
                bar.set_prefix("forge");
                bar.set_message("best -");
                st.bar = Some(bar);
            }
            Event::IterationStarted { n } => {
                st.rows.push(IterationRow {
                    n: *n,
                    ..Default::default()
                });
            }
            Event::ModelStarted {
                n,
                estimated_input_tokens,
            } => {
                let sp = self.multi.add(ProgressBar::new_spinner());
                sp.set_style(style("  {spinner} {msg}"));
                sp.enable_steady_tick(Duration::from_millis(100));
                sp.set_message(format!(
                    "iteration {n}: model writing (~{estimated_input_tokens} tokens in)"
                ));
                st.spinner = Some(sp);
            }
            Event::ModelProgress { n, output_tokens } => {
                if let Some(sp) = &st.spinner {
                    sp.set_message(format!(
                        "iteration {n}: model writing… {output_tokens} tokens"
                    ));
                }
            }
            Event::IterationFinished { best_score, .. } => {
                if let Some(line) = line_for(event, &mut st.rows) {
                    let _ = self.multi.println(line);
                }
                if let Some(bar) = &st.bar {
                    bar.inc(1);
                    bar.set_message(format!("best {best_score:.2}"));
                }
            }
            Event::ModelFinished { .. } => {
                if let Some(sp) = st.spinner.take() {
                    sp.finish_and_clear();
                }
                if let Some(line) = line_for(event, &mut st.rows) {
                    let _ = self.multi.println(line);
                }
            }
            Event::RunFinished { .. } => {
                if let Some(sp) = st.spinner.take() {
                    sp.finish_and_clear();
                }
                if let Some(bar) = st.bar.take() {
                    bar.finish_and_clear();
                }
                if let Some(line) = line_for(event, &mut st.rows) {
                    eprintln!("{line}");
                }
            }
            other => {
                if let Some(line) = line_for(other, &mut st.rows) {
                    let _ = self.multi.println(line);
                }
            }
        }
    }
}
