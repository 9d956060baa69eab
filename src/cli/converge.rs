//! `forge converge`: wire settings, client, history, evidence key and UI to the engine.

use super::args::ConvergeArgs;
use crate::engine::{Engine, RunOutcome, RunSettings, StopReason};
use crate::error::{Error, exit};
use crate::llm::{ClientMode, LlmClient, LlmFlags};
use tokio_util::sync::CancellationToken;

pub fn run(g: &super::Global, a: ConvergeArgs) -> Result<u8, Error> {
    let contract = crate::contract::load(&a.contract, g.root.as_deref())?;
    let settings = settings_for(&contract, &a)?;
    let flags = LlmFlags {
        provider: a.provider.clone(),
        model: a.model.clone(),
        base_url: a.base_url.clone(),
    };
    let mode = match &a.replay {
        Some(p) => ClientMode::Replay(p.clone()),
        None => ClientMode::Live,
    };
    let resolved = crate::llm::resolve_settings(&flags, &contract.llm)?;
    let client = LlmClient::new(resolved, mode, a.record.clone())?;
    let history = crate::history::History::open(&contract.root)?;
    let key = crate::evidence::EvidenceKey::for_signing(None)?;
    let sink = crate::ui::sink_for(g.json, g.quiet, g.no_progress);
    let rt = super::runtime()?;
    let outcome = rt.block_on(async {
        let interrupt = CancellationToken::new();
        watch_ctrl_c(interrupt.clone());
        let engine = Engine::new(
            &contract,
            settings,
            &client,
            &history,
            sink.as_ref(),
            &key,
            interrupt,
        );
        engine.run().await
    })?;
    // --quiet hides the event stream, but a run that could not write back is an error to report.
    if g.quiet {
        if let Some(why) = &outcome.not_applied {
            eprintln!("forge: {why}");
        }
    }
    Ok(exit_code(&outcome, a.allow_degraded))
}

fn settings_for(
    contract: &crate::contract::Contract,
    a: &ConvergeArgs,
) -> Result<RunSettings, Error> {
    let mut s = RunSettings::from_contract(contract);
    if let Some(t) = a.threshold {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::Usage(format!(
                "--threshold {t} is out of range: expected 0 < X <= 1"
            )));
        }
        s.threshold = t;
    }
    if let Some(n) = a.max_iterations {
        if n == 0 {
            return Err(Error::Usage(
                "--max-iterations 0: expected at least 1".into(),
            ));
        }
        s.rules.max_iterations = n;
    }
    if let Some(b) = a.token_budget {
        s.rules.token_budget = b;
    }
    s.apply = !a.no_apply;
    s.allow_degraded = a.allow_degraded;
    Ok(s)
}

/// First Ctrl-C: stop the run cleanly (validators killed, run recorded as interrupted).
/// Second: leave at once.
fn watch_ctrl_c(interrupt: CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!(
            "forge: interrupting: stopping validators and writing evidence (Ctrl-C again to quit now)"
        );
        interrupt.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(i32::from(exit::INTERRUPTED));
        }
    });
}

/// SPEC §2: 0 converged; 1 stopped without converging (or degraded, or not written back);
/// 3 provider failure; 130 interrupted.
fn exit_code(o: &RunOutcome, allow_degraded: bool) -> u8 {
    match o.reason {
        StopReason::Converged if o.not_applied.is_some() => exit::FAILED,
        StopReason::Converged if o.degraded && !allow_degraded => exit::FAILED,
        StopReason::Converged => exit::OK,
        StopReason::Interrupted => exit::INTERRUPTED,
        StopReason::Error => {
            if let Some(e) = &o.failure {
                eprintln!("{} {e}", console::style("error:").red().bold().for_stderr());
            }
            exit::PROVIDER
        }
        _ => exit::FAILED,
    }
}
