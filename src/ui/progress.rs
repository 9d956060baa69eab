//! Progress on a terminal: an iteration bar with the best score, a token spinner while the model
//! writes, a line per validator, and the summary table at the end.

use super::plain::line_for;
use super::summary::IterationRow;
use crate::engine::{Activity, Envelope, Event, Observer};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

pub struct ProgressDisplay {
    multi: MultiProgress,
    state: State,
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
            state: State::default(),
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

impl ProgressDisplay {
    fn println(&self, line: Option<String>) {
        if let Some(line) = line {
            let _ = self.multi.println(line);
        }
    }

    fn spinner(&mut self, message: String) {
        let sp = match self.state.spinner.take() {
            Some(sp) => sp,
            None => {
                let sp = self.multi.add(ProgressBar::new_spinner());
                sp.set_style(style("  {spinner} {msg} {elapsed}"));
                sp.enable_steady_tick(Duration::from_millis(100));
                sp
            }
        };
        sp.set_message(message);
        self.state.spinner = Some(sp);
    }

    fn clear_spinner(&mut self) {
        if let Some(sp) = self.state.spinner.take() {
            sp.finish_and_clear();
        }
    }
}

impl Observer for ProgressDisplay {
    fn on_activity(&mut self, activity: &Activity) {
        match activity {
            Activity::ModelStarted {
                n,
                estimated_input_tokens,
            } => self.spinner(format!(
                "iteration {n}: model writing (~{estimated_input_tokens} tokens in)"
            )),
            Activity::ModelProgress { n, output_tokens } => self.spinner(format!(
                "iteration {n}: model writing… {output_tokens} tokens"
            )),
            Activity::ValidatorStarted { n, name } => {
                self.spinner(format!("iteration {n}: running {name}"))
            }
        }
    }

    fn on_event(&mut self, env: &Envelope) -> Result<(), String> {
        let line = line_for(env, &mut self.state.rows);
        match &env.event {
            Event::RunStarted { max_iterations, .. } => {
                self.println(line);
                let bar = self.multi.add(ProgressBar::new(u64::from(*max_iterations)));
                bar.set_style(style(
                    "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} iterations  {msg}",
                ));
                bar.set_prefix("forge");
                bar.set_message("best -");
                self.state.bar = Some(bar);
            }
            Event::IterationFinished { best_score, .. } => {
                self.clear_spinner();
                self.println(line);
                if let Some(bar) = &self.state.bar {
                    bar.inc(1);
                    bar.set_message(format!("best {best_score:.2}"));
                }
            }
            Event::ModelFinished { .. } => {
                self.clear_spinner();
                self.println(line);
            }
            Event::RunFinished { .. } => {
                self.clear_spinner();
                if let Some(bar) = self.state.bar.take() {
                    bar.finish_and_clear();
                }
                if let Some(line) = line {
                    eprintln!("{line}");
                }
            }
            _ => self.println(line),
        }
        Ok(())
    }
}
