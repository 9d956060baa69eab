//! The library entry point: start a run from a loaded contract and settings, get back a handle
//! with its id, its events and a cancel. The CLI, `forge serve` and tests all start runs here.

use super::events::{AnswerSource, CassetteRef, ContractInfo, Envelope, Event, LlmInfo};
use super::failure::RunFailure;
use super::log::{EventLog, Observer};
use super::run::{Run, RunOutcome, RunSettings, StopSignal};
use crate::contract::Contract;
use crate::evidence::{self, Signers};
use crate::history::{History, HistoryHandback, HistoryPool, HistoryRecorder};
use crate::llm::{ClientMode, LlmClient, ResolvedLlm};
use crate::run_folder::RunFolder;
use crate::sandbox::SandboxRecord;
use crate::workspace::Workspace;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Everything a run needs, resolved by whoever starts it.
pub struct RunRequest {
    pub contract: Contract,
    pub settings: RunSettings,
    pub llm: ResolvedLlm,
    pub mode: ClientMode,
    /// `--record FILE`: also write every exchange there.
    pub record: Option<PathBuf>,
    /// What the pack is signed with: the HMAC evidence key, and ed25519 when configured.
    pub signers: Signers,
    /// Consumers that must see every event in order (terminal output, `--json`).
    pub observers: Vec<Box<dyn Observer>>,
    /// The caller's trace id, recorded in `run_started` and the pack.
    pub trace_id: Option<String>,
    /// Where a long-lived caller keeps open histories: the run takes its root's from there and
    /// gives it back when sealed. None opens one for this run alone.
    pub histories: Option<Arc<HistoryPool>>,
}

/// A started run: follow it, cancel it, wait for it.
pub struct RunHandle {
    pub run_id: String,
    log: Arc<EventLog>,
    cancel: CancellationToken,
    task: JoinHandle<RunOutcome>,
}

impl RunHandle {
    /// Stop the run: validators are killed, and it ends `interrupted` with its evidence.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Every event so far and a receiver for the rest. A receiver that lags may miss events
    /// (the run never waits for it); it can catch up from [`RunHandle::events`].
    pub fn subscribe(&self) -> (Vec<Arc<Envelope>>, broadcast::Receiver<Arc<Envelope>>) {
        self.log.subscribe()
    }

    pub fn events(&self) -> Vec<Arc<Envelope>> {
        self.log.events()
    }

    /// Wait for the run to end; its history row and (where the disk allows) its pack are
    /// written by then.
    pub async fn wait(self) -> Result<RunOutcome, crate::Error> {
        self.task
            .await
            .map_err(|e| crate::Error::Environment(format!("the run's task failed: {e}")))
    }
}

/// Start a run. Errors are only those that prevent it from starting (a missing key or
/// cassette, an unwritable history, a root that cannot be copied); from the first event on,
/// every way it ends is recorded.
pub async fn start(req: RunRequest) -> Result<RunHandle, crate::Error> {
    start_with_id(crate::history::new_run_id(), req).await
}

/// [`start`] under an id made earlier by [`crate::history::new_run_id`]: `forge serve` answers
/// with a run's id while the run still waits for a slot.
pub async fn start_with_id(run_id: String, req: RunRequest) -> Result<RunHandle, crate::Error> {
    if !crate::history::is_run_id(&run_id) {
        return Err(crate::Error::Usage(format!("`{run_id}` cannot name a run")));
    }
    check_prices(&req)?;
    let client = LlmClient::new(req.llm, req.mode, req.record)?;
    let root = req.contract.root.clone();
    let guard = crate::privacy::Guard::new(&req.contract.privacy, &root)?;
    let histories = req.histories;
    let history = blocking({
        let root = root.clone();
        let histories = histories.clone();
        move || match histories {
            Some(pool) => pool.take(&root),
            None => History::open(&root),
        }
    })
    .await
    .map_err(crate::Error::Environment)??;
    let ws = blocking({
        let root = root.clone();
        move || Workspace::create(&root)
    })
    .await
    .map_err(crate::Error::Environment)??;
    let folder = RunFolder::create(&root, &run_id, &req.contract.source).map_err(|e| {
        crate::Error::Environment(format!("cannot create the run folder for {run_id}: {e}"))
    })?;
    let client = client.also_record(&folder.cassette_path())?;
    let events_file = folder.events_writer().map_err(|e| {
        crate::Error::Environment(format!(
            "cannot write {}: {e}",
            folder.events_path().display()
        ))
    })?;
    let (recorder, handback) = HistoryRecorder::start(history)
        .map_err(|e| crate::Error::Environment(format!("cannot start the history writer: {e}")))?;
    let mut observers: Vec<Box<dyn Observer>> = vec![Box::new(events_file), Box::new(recorder)];
    observers.extend(req.observers);
    let log = Arc::new(EventLog::new(run_id.clone(), observers));
    let contract = Arc::new(req.contract);
    log.emit(Event::RunStarted {
        contract: ContractInfo {
            name: contract.name.clone(),
            path: contract.path.display().to_string(),
            sha256: contract.sha256.clone(),
        },
        root: root.display().to_string(),
        llm: answer_source(&client),
        forge_version: crate::VERSION.to_string(),
        started_at: crate::timestamp::now(),
        max_iterations: req.settings.rules.max_iterations,
        threshold: req.settings.threshold,
        trace_id: req.trace_id,
    });
    let validators = contract.validators.iter();
    let sandbox =
        SandboxRecord::for_validators(validators.map(|v| (v.name.as_str(), &v.sandbox))).await;
    log.emit(Event::Sandbox { sandbox });
    log.emit(Event::PrivacyPolicy {
        secrets: contract.privacy.secrets,
        pii: contract.privacy.pii,
    });
    let cancel = CancellationToken::new();
    let run = Run {
        run_id: run_id.clone(),
        edit_matcher: contract.edit_matcher(),
        contract,
        stop: StopSignal::new(&cancel, req.settings.run_timeout),
        settings: req.settings,
        client,
        log: log.clone(),
        cancel: cancel.clone(),
        ws,
        run_dir: folder.dir().to_path_buf(),
        started: Instant::now(),
        guard,
    };
    let signers = req.signers;
    let sealing_log = log.clone();
    let task = tokio::spawn(async move {
        let outcome = run.execute().await;
        let records = Records {
            handback,
            histories,
            root,
        };
        seal(outcome, sealing_log, folder, signers, records).await
    });
    Ok(RunHandle {
        run_id,
        log,
        cancel,
        task,
    })
}

/// Who answers: a live provider at its host, or a cassette (never a host that did not answer).
fn answer_source(client: &LlmClient) -> LlmInfo {
    let s = client.settings();
    match client.replayed() {
        None => LlmInfo {
            provider: s.provider.as_str().to_string(),
            model: s.model.clone(),
            host: Some(s.host()),
            source: AnswerSource::Live,
            cassette: None,
        },
        Some(c) => {
            let (provider, model) = match c.answered_by {
                Some((p, m)) => (p.as_str().to_string(), m),
                None => ("unrecorded".to_string(), "unrecorded".to_string()),
            };
            LlmInfo {
                provider,
                model,
                host: None,
                source: AnswerSource::Replay,
                cassette: Some(CassetteRef {
                    path: c.path.display().to_string(),
                    sha256: c.sha256,
                }),
            }
        }
    }
}

/// Where the run's history goes once its recorder has closed.
struct Records {
    handback: HistoryHandback,
    histories: Option<Arc<HistoryPool>>,
    root: PathBuf,
}

impl Records {
    /// The recorder's own connection, or a new one if it has none to give back.
    fn history(&self) -> Result<History, crate::history::HistoryError> {
        match self.handback.take() {
            Some(h) => Ok(h),
            None => History::open(&self.root),
        }
    }

    fn done(&self, history: History) {
        if let Some(pool) = &self.histories {
            pool.give(history);
        }
    }
}

/// After the last event: close the observers (the history writer's last row written), then
/// fold, sign and write the pack, which makes the whole run folder durable. A pack that cannot
/// be written leaves the row saying why.
async fn seal(
    mut outcome: RunOutcome,
    log: Arc<EventLog>,
    folder: RunFolder,
    signers: Signers,
    records: Records,
) -> RunOutcome {
    let closing = log.clone();
    let closed = blocking(move || closing.close()).await;
    if let Err(e) = closed.unwrap_or_else(Err) {
        outcome.failure.get_or_insert(RunFailure::Record(e));
    }
    let events = log.events();
    let run_id = outcome.run_id.clone();
    let written = blocking(move || match records.history() {
        Ok(history) => {
            let sealed = seal_pack(&events, &signers, &history, &folder);
            if let Err(e) = &sealed {
                keep_without_pack(&folder);
                let _ = history.evidence_missing(&run_id, &e.to_string());
            }
            records.done(history);
            sealed
        }
        Err(e) => {
            keep_without_pack(&folder);
            Err(e.into())
        }
    })
    .await;
    let failure = match written {
        Ok(Ok(path)) => {
            outcome.evidence = Some(path);
            return outcome;
        }
        Ok(Err(e)) => RunFailure::Evidence(e),
        Err(e) => RunFailure::Record(e),
    };
    outcome.evidence = None;
    outcome.failure.get_or_insert(failure);
    outcome
}

/// Fold the events into the pack and seal it into the root's evidence chain (metadata.previous)
/// in one history transaction; the path of evidence.json.
fn seal_pack(
    events: &[Arc<Envelope>],
    signers: &Signers,
    history: &History,
    folder: &RunFolder,
) -> Result<PathBuf, evidence::EvidenceError> {
    let bytes =
        std::fs::read(folder.events_path()).map_err(|e| evidence::EvidenceError::Unreadable {
            path: folder.events_path().display().to_string(),
            message: e.to_string(),
        })?;
    let mut pack = evidence::build(events, crate::sha::sha256_hex(&bytes))?;
    Ok(evidence::seal(&mut pack, signers, history, folder.dir())?.json)
}

/// A run whose pack cannot be written still keeps what it left (contract, events, artifacts)
/// on disk; failing that is not worth another error on top of the missing pack.
fn keep_without_pack(folder: &RunFolder) {
    let _ = crate::fsutil::sync_tree(folder.dir());
}

/// Run blocking work (SQLite, file copies) off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("a background task failed: {e}"))
}

/// A cost budget needs a price for every model the run may call: refuse to start otherwise,
/// rather than run a budget that cannot be kept.
fn check_prices(req: &RunRequest) -> Result<(), crate::Error> {
    let Some(limit) = req.settings.rules.cost_budget else {
        return Ok(());
    };
    let synthesis = match req.contract.evidence.synthesis {
        crate::contract::Synthesis::Llm => req.contract.evidence.synthesis_model.as_deref(),
        _ => None,
    };
    let provider = req.llm.provider;
    for model in std::iter::once(req.llm.model.as_str()).chain(synthesis) {
        if req.llm.prices.lookup(provider, model).is_none() {
            return Err(crate::Error::Usage(format!(
                "limits.cost_budget is {} but the {} model `{model}` has no known price: add \
                 [prices.{}.\"{model}\"] with `input` and `output` (dollars per million tokens) \
                 to $XDG_CONFIG_HOME/forge/config.toml, or remove the cost budget",
                crate::llm::format_cost(Some(limit)),
                provider.as_str(),
                provider.as_str(),
            )));
        }
    }
    Ok(())
}
