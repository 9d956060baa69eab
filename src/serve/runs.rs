//! The server's runs: queued behind `--max-concurrent`, started through the engine, followed by
//! an event observer (progress, the WebSocket feed), cancelled on request or at shutdown.

use super::api::{ConvergeStatus, Progress, RunResult};
use super::gauges::ServerGauges;
use super::usage::{Grant, ModelCalls};
use crate::engine::{Envelope, Event, Observer, RunRequest};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Semaphore, broadcast, watch};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Lines a WebSocket subscriber may fall behind by before it catches up from the run's log.
const FEED_BUFFER: usize = 256;

/// One event as the feed carries it: its `events.jsonl` line (without the newline).
#[derive(Debug)]
pub struct Line {
    pub seq: u64,
    pub last: bool,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Queued,
    Running,
    Finished(RunResult),
}

#[derive(Debug)]
struct View {
    phase: Phase,
    /// How the run ended, from its `run_finished` event; it becomes the phase once the run is
    /// sealed, so a run shown as finished has its history row and pack on disk.
    ended: Option<RunResult>,
    progress: Progress,
    /// Every line so far while the run goes; emptied once it is sealed (events.jsonl has them).
    lines: Vec<Arc<Line>>,
}

/// A run this server accepted.
#[derive(Debug)]
pub struct ServerRun {
    pub id: String,
    pub caller: String,
    pub root: PathBuf,
    cancel: CancellationToken,
    view: Mutex<View>,
    feed: broadcast::Sender<Arc<Line>>,
    /// Becomes true once the run's record and pack are written.
    sealed: watch::Sender<bool>,
}

/// What a subscriber gets: the lines so far and the rest as they come, or (for a sealed run)
/// nothing live: its events.jsonl holds everything.
pub enum Follow {
    Live(Vec<Arc<Line>>, broadcast::Receiver<Arc<Line>>),
    Sealed,
}

impl ServerRun {
    fn view(&self) -> MutexGuard<'_, View> {
        match self.view.lock() {
            Ok(v) => v,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn status(&self) -> ConvergeStatus {
        let v = self.view();
        let (status, result) = match &v.phase {
            Phase::Queued => ("QUEUED".to_string(), None),
            Phase::Running => ("RUNNING".to_string(), None),
            Phase::Finished(r) => (r.status.to_ascii_uppercase(), Some(r.clone())),
        };
        ConvergeStatus {
            convergence_id: self.id.clone(),
            status,
            progress: v.progress.clone(),
            result,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.view().phase, Phase::Finished(_))
    }

    /// Ask the run to stop: it ends `interrupted`, with its evidence. A queued run is started
    /// only to be recorded that way at once.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn follow(&self) -> Follow {
        let v = self.view();
        if *self.sealed.borrow() {
            return Follow::Sealed;
        }
        Follow::Live(v.lines.clone(), self.feed.subscribe())
    }

    /// The lines after `seq`, for a subscriber that fell behind.
    pub fn lines_after(&self, seq: u64) -> Option<Vec<Arc<Line>>> {
        let v = self.view();
        if *self.sealed.borrow() {
            return None;
        }
        Some(v.lines.iter().filter(|l| l.seq > seq).cloned().collect())
    }

    /// Wait until the run's record and pack are written.
    pub async fn sealed(&self) {
        let mut rx = self.sealed.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }

    fn seal(&self, evidence: Option<String>, failure: Option<String>) {
        let mut v = self.view();
        let mut result = v.ended.take().unwrap_or_else(|| RunResult {
            status: crate::history::RunStatus::Error.as_str().to_string(),
            degraded: false,
            score: None,
            iterations: 0,
            tokens: 0,
            evidence: None,
            reason: None,
        });
        result.evidence = evidence;
        if failure.is_some() {
            result.reason = failure;
        }
        v.phase = Phase::Finished(result);
        v.lines = Vec::new();
        drop(v);
        self.sealed.send_replace(true);
    }
}

/// Keeps the server's view of a run current; sees every event in order, never blocks.
struct Follower(Arc<ServerRun>);

impl Observer for Follower {
    fn on_event(&mut self, e: &Envelope) -> Result<(), String> {
        let run = &self.0;
        let mut v = run.view();
        match &e.event {
            Event::ModelFinished { call, .. } => {
                v.progress.tokens_used = v.progress.tokens_used.saturating_add(call.tokens());
            }
            Event::IterationFinished { n, score, .. } => {
                v.progress.iteration = *n;
                v.progress.score = Some(*score);
            }
            Event::RunFinished {
                status,
                degraded,
                score,
                iterations,
                tokens,
                reason,
                ..
            } => {
                v.progress.tokens_used = *tokens;
                v.ended = Some(RunResult {
                    status: status.as_str().to_string(),
                    degraded: *degraded,
                    score: Some(*score),
                    iterations: *iterations,
                    tokens: *tokens,
                    evidence: None,
                    reason: Some(reason.clone()),
                });
            }
            _ => {}
        }
        let line = Arc::new(Line {
            seq: e.seq,
            last: matches!(e.event, Event::RunFinished { .. }),
            text: e.to_line().trim_end().to_string(),
        });
        v.lines.push(line.clone());
        drop(v);
        // No subscriber is not an error; a lagging one catches up from `lines`.
        let _ = run.feed.send(line);
        Ok(())
    }
}

/// Every run this server accepted, and the slots they share.
#[derive(Debug)]
pub struct Runs {
    slots: Arc<Semaphore>,
    map: Mutex<HashMap<String, Arc<ServerRun>>>,
    /// Run tasks and WebSocket feeds: shutdown waits for both.
    pub tasks: TaskTracker,
    gauges: ServerGauges,
    /// Set at shutdown: a run accepted from then on is cancelled as soon as it is known.
    closing: CancellationToken,
}

impl Runs {
    pub fn new(max_concurrent: u32, gauges: ServerGauges) -> Self {
        Runs {
            slots: Arc::new(Semaphore::new(max_concurrent as usize)),
            map: Mutex::new(HashMap::new()),
            tasks: TaskTracker::new(),
            gauges,
            closing: CancellationToken::new(),
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<ServerRun>>> {
        match self.map.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn get(&self, id: &str) -> Option<Arc<ServerRun>> {
        self.map().get(id).cloned()
    }

    /// Runs of `caller` that are queued or running.
    pub fn unfinished_of(&self, caller: &str) -> usize {
        self.map()
            .values()
            .filter(|r| r.caller == caller && !r.is_finished())
            .count()
    }

    /// Accept a run: it waits for a slot, then starts through the engine as `id`. Its model
    /// calls are counted against `grant` as they answer; the grant ends before the run shows
    /// as finished, so a caller that saw it finish sees its quota settled.
    pub fn submit(
        &self,
        id: String,
        caller: String,
        root: PathBuf,
        mut request: RunRequest,
        grant: Grant,
    ) -> Arc<ServerRun> {
        let (feed, _) = broadcast::channel(FEED_BUFFER);
        let run = Arc::new(ServerRun {
            id: id.clone(),
            caller,
            root,
            cancel: CancellationToken::new(),
            view: Mutex::new(View {
                phase: Phase::Queued,
                ended: None,
                progress: Progress::default(),
                lines: Vec::new(),
            }),
            feed,
            sealed: watch::Sender::new(false),
        });
        self.map().insert(id.clone(), run.clone());
        // After the insert: either cancel_all sees this run or this sees cancel_all.
        if self.closing.is_cancelled() {
            run.cancel();
        }
        self.gauges.queued.inc();
        let slots = self.slots.clone();
        let gauges = self.gauges.clone();
        let r = run.clone();
        self.tasks.spawn(async move {
            // A run cancelled while queued does not wait for a slot: it is started only to be
            // recorded as interrupted, with its evidence.
            let permit = tokio::select! {
                p = slots.acquire_owned() => p.ok(),
                _ = r.cancel.cancelled() => None,
            };
            gauges.queued.dec();
            gauges.active.inc();
            r.view().phase = Phase::Running;
            request.observers.push(Box::new(Follower(r.clone())));
            let (calls, mut answered) = ModelCalls::new();
            request.observers.push(Box::new(calls));
            let (evidence, failure) = match crate::engine::start_with_id(id, request).await {
                Ok(handle) => {
                    let engine_cancel = handle.cancel_token();
                    let watch_cancel = r.cancel.clone();
                    let linked = tokio::spawn(async move {
                        watch_cancel.cancelled().await;
                        engine_cancel.cancel();
                    });
                    let outcome = grant.meter(&mut answered, handle.wait()).await;
                    linked.abort();
                    match outcome {
                        Ok(o) => (
                            o.evidence.map(|p| p.display().to_string()),
                            o.failure.map(|f| f.to_string()),
                        ),
                        Err(e) => (None, Some(e.to_string())),
                    }
                }
                // Nothing was recorded: the run could not start (a cassette that cannot be
                // read, an unwritable history); it shows as an error with the reason.
                Err(e) => (None, Some(e.to_string())),
            };
            // What the run did not spend goes back before anyone can see it finished.
            drop(grant);
            r.seal(evidence, failure);
            gauges.active.dec();
            drop(permit);
        });
        run
    }

    /// Cancel every run (shutdown).
    pub fn cancel_all(&self) {
        self.closing.cancel();
        for r in self.map().values() {
            r.cancel();
        }
    }

    /// Wait for every run to be sealed and every feed to close.
    pub async fn drain(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
