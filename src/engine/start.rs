//! The library entry point: start a run from a loaded contract and settings, get back a handle
//! with its id, its events and a cancel. The CLI, `forge serve` and tests all start runs here.

use super::events::{AnswerSource, CassetteRef, ContractInfo, Envelope, Event, LlmInfo};
use super::failure::RunFailure;
use super::log::{EventLog, Observer};
use super::run::{Run, RunOutcome, RunSettings, StopSignal};
use crate::contract::Contract;
use crate::evidence::{self, Signers};
use crate::history::{History, HistoryRecorder};
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
    let history = blocking({
        let root = root.clone();
        move || History::open(&root)
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
    let recorder = HistoryRecorder::start(history)
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
        seal(outcome, sealing_log, folder, signers, root).await
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

/// After the last event: close the observers (history row final, `events.jsonl` synced), then
/// fold, sign and write the pack. A pack that cannot be written leaves the row saying why.
async fn seal(
    mut outcome: RunOutcome,
    log: Arc<EventLog>,
    folder: RunFolder,
    signers: Signers,
    root: PathBuf,
) -> RunOutcome {
    // Opened before the history writer closes its own connection: the last connection to
    // close checkpoints the WAL (two fsyncs), and once per run is enough.
    let chain_root = root.clone();
    let chain = blocking(move || History::open(&chain_root))
        .await
        .unwrap_or_else(|e| {
            Err(crate::history::HistoryError::Db {
                path: root.display().to_string(),
                message: e,
            })
        });
    let closing = log.clone();
    let closed = blocking(move || closing.close()).await;
    if let Err(e) = closed.unwrap_or_else(Err) {
        outcome.failure.get_or_insert(RunFailure::Record(e));
    }
    let events = log.events();
    let run_id = outcome.run_id.clone();
    let written = blocking(move || -> Result<PathBuf, evidence::EvidenceError> {
        let bytes = std::fs::read(folder.events_path()).map_err(|e| {
            evidence::EvidenceError::Unreadable {
                path: folder.events_path().display().to_string(),
                message: e.to_string(),
            }
        })?;
        let mut pack = evidence::build(&events, crate::sha::sha256_hex(&bytes))?;
        // Sealed into the root's evidence chain (metadata.previous) in one history transaction.
        let history = chain?;
        Ok(evidence::seal(&mut pack, &signers, &history, folder.dir())?.json)
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
    let message = failure.to_string();
    let _ =
        blocking(move || History::open(&root).and_then(|h| h.evidence_missing(&run_id, &message)))
            .await;
    outcome.evidence = None;
    outcome.failure.get_or_insert(failure);
    outcome
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
