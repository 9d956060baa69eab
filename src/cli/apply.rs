//! `forge apply RUN_ID` and `forge reject RUN_ID`: the decision on a run, signed into its
//! `approval.json`; an approved run's files are written back under the same rules as converge.

use super::args::{ApplyArgs, RejectArgs};
use super::kept::{self, KeptRun};
use crate::error::{Error, exit};
use crate::evidence::EvidenceKey;
use crate::evidence::approval::{self, Approval, Decision};
use crate::history::RunStatus;
use crate::workspace::ApplyBack;
use std::io::IsTerminal;
use std::path::Path;

pub fn apply(g: &super::Global, a: ApplyArgs) -> Result<u8, Error> {
    let run = kept::load(g, &a.run_id)?;
    approve(g, &run, a.approver, a.yes)
}

/// Approve `run` (asking first unless `yes`) and write its files back; the exit code.
pub(super) fn approve(
    g: &super::Global,
    run: &KeptRun,
    approver: Option<String>,
    yes: bool,
) -> Result<u8, Error> {
    undecided(run)?;
    let status = run.pack.raw_evidence.outcome.status;
    if status != RunStatus::Converged {
        return Err(Error::Usage(format!(
            "run `{}` did not converge (status {status}); only a converged run can be applied",
            run.run_id
        )));
    }
    let mut already = true;
    for (rel, bytes) in &run.files {
        already &= run.current(rel)?.as_deref() == Some(bytes.as_slice());
    }
    if already {
        return Err(Error::Usage(format!(
            "the root already holds the files of run `{}` (written back when it converged?); nothing to apply",
            run.run_id
        )));
    }
    let approver = approver_of(&run.root, approver)?;
    let base = run.base()?;
    if !yes && !confirm(g, run)? {
        if !g.quiet {
            super::output::err_line(&format!(
                "nothing was written; `forge reject {}` records a rejection",
                run.run_id
            ));
        }
        return Ok(exit::FAILED);
    }
    match crate::workspace::apply_recorded(&run.root, run.files.clone(), &base)? {
        ApplyBack::Conflict { paths } => {
            let names: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
            super::output::err_line(&format!(
                "forge: nothing was written back: {} changed in the root since run {} started",
                names.join(", "),
                run.run_id
            ));
            Ok(exit::FAILED)
        }
        ApplyBack::Written { paths } => {
            let record = decide(run, Decision::Approved, approver, None)?;
            if g.json {
                print_json(&record)?;
            } else if !g.quiet {
                super::output::out_line(&format!(
                    "applied run {}: wrote {} file{} ({}); approved by {}",
                    run.run_id,
                    paths.len(),
                    if paths.len() == 1 { "" } else { "s" },
                    paths
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    record.approver
                ))?;
            }
            Ok(exit::OK)
        }
    }
}

pub fn reject(g: &super::Global, a: RejectArgs) -> Result<u8, Error> {
    let run = kept::load(g, &a.run_id)?;
    undecided(&run)?;
    let approver = approver_of(&run.root, a.approver)?;
    let record = decide(&run, Decision::Rejected, approver, a.reason)?;
    if g.json {
        print_json(&record)?;
    } else if !g.quiet {
        super::output::out_line(&format!(
            "rejected run {} ({})",
            run.run_id, record.approver
        ))?;
    }
    Ok(exit::OK)
}

/// A run is decided once: a second decision is refused.
fn undecided(run: &KeptRun) -> Result<(), Error> {
    match approval::read(&run.dir)? {
        None => Ok(()),
        Some(a) => Err(Error::Usage(format!(
            "run `{}` was already {} by {} at {}",
            run.run_id,
            a.decision.as_str(),
            a.approver,
            a.at
        ))),
    }
}

fn decide(
    run: &KeptRun,
    decision: Decision,
    approver: String,
    reason: Option<String>,
) -> Result<Approval, Error> {
    let record = Approval {
        schema: approval::SCHEMA.to_string(),
        run_id: run.run_id.clone(),
        pack_sha256: run.pack_sha256.clone(),
        decision,
        approver,
        at: crate::timestamp::now(),
        reason,
        integrity: None,
    };
    let key = EvidenceKey::for_signing(None)?;
    approval::write(&run.dir, &record, &key)?;
    Ok(record)
}

/// `--approver`, else git's `user.email` in the root.
fn approver_of(root: &Path, given: Option<String>) -> Result<String, Error> {
    if let Some(a) = given
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
    {
        return Ok(a);
    }
    let email = std::process::Command::new("git")
        .args(["config", "user.email"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|e| !e.is_empty());
    email.ok_or_else(|| {
        Error::Usage(
            "who decides? pass --approver, or set git's user.email (git config user.email you@example.com)"
                .into(),
        )
    })
}

/// Whether forge can ask a question: stdin and stderr are both a terminal.
pub(super) fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Show the diff and ask on the terminal; off a terminal, `--yes` is required.
fn confirm(g: &super::Global, run: &KeptRun) -> Result<bool, Error> {
    if !can_ask() {
        return Err(Error::Usage(format!(
            "not on a terminal, so forge cannot ask: review with `forge diff {id}`, then `forge apply {id} --yes`",
            id = run.run_id
        )));
    }
    let diff = super::diff::render(run)?;
    if !g.quiet {
        super::output::out(&super::diff::for_stdout(&diff))?;
    }
    dialoguer::Confirm::new()
        .with_prompt(format!(
            "Write {} file{} of run {} to {}?",
            run.files.len(),
            if run.files.len() == 1 { "" } else { "s" },
            run.run_id,
            run.root.display()
        ))
        .default(false)
        .interact_on(&console::Term::stderr())
        .map_err(|e| Error::Environment(format!("cannot ask on the terminal: {e}")))
}

fn print_json(a: &Approval) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(a)
        .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
    super::output::out_line(&json)?;
    Ok(())
}
