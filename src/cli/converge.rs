//! `forge converge`: resolve settings, start the run through the engine, show it, map its end
//! to an exit code.

use super::approval_gate;
use super::args::ConvergeArgs;
use super::output::err_line;
use crate::engine::{RunRequest, RunSettings, StopReason};
use crate::error::{Error, exit, run_exit};
use crate::llm::ClientMode;
use crate::term::safe_text;
use tokio_util::sync::CancellationToken;

pub fn run(g: &super::Global, a: ConvergeArgs) -> Result<u8, Error> {
    let contract = crate::contract::load(&a.contract, g.root.as_deref())?;
    if !g.json {
        for u in contract.unmatched_globs() {
            super::output::warn(g, &u.message());
        }
    }
    let mut settings = settings_for(&contract, &a)?;
    // With approval required the run only keeps its files; the gate below writes them back.
    let gated = approval_gate::required(&contract, a.confirm);
    if gated {
        settings.apply = false;
    }
    let root = contract.root.clone();
    let flags = a.run.llm();
    let mode = match &a.replay {
        Some(p) => ClientMode::Replay(p.clone()),
        None => ClientMode::Live,
    };
    let llm = crate::llm::resolve_settings(&flags, &contract.llm)?;
    let signers = crate::evidence::Signers::resolve(None, a.signing_key.as_deref())?;
    let request = RunRequest {
        contract,
        settings,
        llm,
        mode,
        record: a.record.clone(),
        signers: signers.clone(),
        observers: vec![crate::ui::observer_for(g.json, g.quiet, g.no_progress)],
        trace_id: None,
        histories: None,
    };
    let rt = super::runtime()?;
    let outcome = rt.block_on(async {
        let handle = crate::engine::start(request).await?;
        watch_ctrl_c(handle.cancel_token());
        handle.wait().await
    })?;
    // --quiet hides the event stream, but a run that could not write back is an error to report.
    if g.quiet {
        if let Some(why) = &outcome.not_applied {
            err_line(&format!("forge: {}", safe_text(why)));
        }
    }
    if let Some(f) = &outcome.failure {
        let prefix = console::style("error:").red().bold().for_stderr();
        err_line(&format!("{prefix} {}", safe_text(&f.to_string())));
    }
    let code = run_exit(&outcome, a.allow_degraded);
    if gated && !a.no_apply && outcome.reason == StopReason::Converged && code == exit::OK {
        return approval_gate::after_converged(g, &root, &outcome.run_id, &signers);
    }
    Ok(code)
}

fn settings_for(
    contract: &crate::contract::Contract,
    a: &ConvergeArgs,
) -> Result<RunSettings, Error> {
    let mut s = RunSettings::from_contract(contract);
    if let Some(t) = a.run.threshold {
        if !(t > 0.0 && t <= 1.0) {
            return Err(Error::Usage(format!(
                "--threshold {t} is out of range: expected 0 < X <= 1"
            )));
        }
        s.threshold = t;
    }
    if let Some(n) = a.run.max_iterations {
        if n == 0 {
            return Err(Error::Usage(
                "--max-iterations 0: expected at least 1".into(),
            ));
        }
        s.rules.max_iterations = n;
    }
    if let Some(b) = a.run.token_budget {
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
        err_line(
            "forge: interrupting: stopping validators and writing evidence (Ctrl-C again to quit now)",
        );
        interrupt.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(i32::from(exit::INTERRUPTED));
        }
    });
}
