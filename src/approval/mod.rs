//! Deciding on a finished run (SPEC §12): approve it (its kept files written back, all or
//! nothing) or reject it, into its signed `approval.json`. `forge apply`, `forge reject` and
//! `forge serve`'s `POST /api/v1/runs/{id}/approval` all decide here; they only differ in who
//! the approver is and how they ask.

mod kept;

pub use kept::KeptRun;

use crate::edits::RelPath;
use crate::evidence::EvidenceError;
use crate::evidence::approval::{self, Approval, Decision};
use crate::evidence::sign::SignerSet;
use crate::history::{HistoryError, RunStatus};
use crate::workspace::{ApplyBack, BaseRecord, WorkspaceError};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Why a run could not be decided on. Nothing was written back and no approval recorded.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("`{0}` is not a run id")]
    NotARunId(String),
    /// No evidence pack: an unknown run, or one that has not finished.
    #[error("no finished run `{run_id}` under {} ({message})", root.display())]
    NotFinished {
        run_id: String,
        root: PathBuf,
        message: String,
    },
    /// The pack or its artifacts no longer verify: the kept files are not what was checked.
    #[error("run `{run_id}`: {why}")]
    Untrusted { run_id: String, why: String },
    /// The record of the root at the run's start is missing or altered.
    #[error("run `{run_id}`: {why}; it cannot be applied safely, run it again")]
    Unusable { run_id: String, why: String },
    #[error("run `{run_id}` was already {} by {approver} at {at}", decision.as_str())]
    AlreadyDecided {
        run_id: String,
        decision: Decision,
        approver: String,
        at: String,
    },
    #[error(
        "run `{run_id}` did not converge (status {status}); only a converged run can be applied"
    )]
    NotConverged { run_id: String, status: RunStatus },
    #[error(
        "the root already holds the files of run `{run_id}` (written back when it converged?); nothing to apply"
    )]
    AlreadyApplied { run_id: String },
    /// Files changed in the root since the run started (edited, created or deleted).
    #[error(
        "nothing was written back: {} changed in the root since run {run_id} started",
        names(paths)
    )]
    Conflict { run_id: String, paths: Vec<RelPath> },
    #[error("cannot read {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    History(#[from] HistoryError),
}

fn names(paths: &[RelPath]) -> String {
    paths
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a decision did: the record as written to approval.json, and the files written back
/// into the root (none for a rejection).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Decided {
    pub approval: Approval,
    /// Paths relative to the run's root.
    pub written: Vec<String>,
}

/// A run that passed every check of an approval and is not yet written back, so that a
/// terminal can show the diff and ask before [`Approvable::write_back`].
#[derive(Debug)]
pub struct Approvable<'a> {
    run: &'a KeptRun,
    base: BaseRecord,
}

/// Whether `run` can be approved: not decided yet, converged, not already in the root, and its
/// record of the root at its start intact.
pub fn approvable(run: &KeptRun) -> Result<Approvable<'_>, ApprovalError> {
    undecided(run)?;
    let status = run.pack.raw_evidence.outcome.status;
    if status != RunStatus::Converged {
        return Err(ApprovalError::NotConverged {
            run_id: run.run_id.clone(),
            status,
        });
    }
    let mut already = true;
    for (rel, bytes) in &run.files {
        already &= run.current(rel)?.as_deref() == Some(bytes.as_slice());
    }
    if already {
        return Err(ApprovalError::AlreadyApplied {
            run_id: run.run_id.clone(),
        });
    }
    let base = run.base()?;
    Ok(Approvable { run, base })
}

impl Approvable<'_> {
    /// Write the run's files back (refused, with nothing written, when one changed since the
    /// run started), then record the approval by `approver`.
    pub fn write_back(
        self,
        approver: &str,
        reason: Option<String>,
        signers: &impl SignerSet,
    ) -> Result<Decided, ApprovalError> {
        let run = self.run;
        match crate::workspace::apply_recorded(&run.root, run.files.clone(), &self.base)? {
            ApplyBack::Conflict { paths } => Err(ApprovalError::Conflict {
                run_id: run.run_id.clone(),
                paths,
            }),
            ApplyBack::Written { paths } => Ok(Decided {
                approval: record(run, Decision::Approved, approver, reason, signers)?,
                written: paths.iter().map(|p| p.to_string()).collect(),
            }),
        }
    }
}

/// Reject `run`: nothing is written back, the rejection (and why) is recorded.
pub fn reject(
    run: &KeptRun,
    approver: &str,
    reason: Option<String>,
    signers: &impl SignerSet,
) -> Result<Decided, ApprovalError> {
    undecided(run)?;
    Ok(Decided {
        approval: record(run, Decision::Rejected, approver, reason, signers)?,
        written: Vec::new(),
    })
}

/// Decide on run `run_id` of `root` without asking, as `forge apply --yes` and `forge reject`
/// do.
pub fn decide(
    root: &Path,
    run_id: &str,
    decision: Decision,
    approver: &str,
    reason: Option<String>,
    signers: &impl SignerSet,
) -> Result<Decided, ApprovalError> {
    let run = KeptRun::load(root, run_id)?;
    match decision {
        Decision::Approved => approvable(&run)?.write_back(approver, reason, signers),
        Decision::Rejected => reject(&run, approver, reason, signers),
    }
}

/// A run is decided once: a second decision is refused.
fn undecided(run: &KeptRun) -> Result<(), ApprovalError> {
    match approval::read(&run.dir)? {
        None => Ok(()),
        Some(a) => Err(ApprovalError::AlreadyDecided {
            run_id: run.run_id.clone(),
            decision: a.decision,
            approver: a.approver,
            at: a.at,
        }),
    }
}

fn record(
    run: &KeptRun,
    decision: Decision,
    approver: &str,
    reason: Option<String>,
    signers: &impl SignerSet,
) -> Result<Approval, ApprovalError> {
    let record = Approval {
        schema: approval::SCHEMA.to_string(),
        run_id: run.run_id.clone(),
        pack_sha256: run.pack_sha256.clone(),
        decision,
        approver: approver.to_string(),
        at: crate::timestamp::now(),
        reason,
        integrity: None,
    };
    match approval::write(&run.dir, &record, signers) {
        Ok(written) => Ok(written),
        // Another decision landed between the check and this write: that one stands.
        Err(EvidenceError::Exists(what)) => {
            undecided(run)?;
            Err(EvidenceError::Exists(what).into())
        }
        Err(e) => Err(e.into()),
    }
}
