//! `forge evidence recheck`: run the stored contract's validators again, in a private copy of
//! the root with the run's kept artifacts laid over it, and compare each validator's exit code
//! and score with the pack's final iteration (SPEC §9).

use super::artifacts::check_one;
use super::input::{self, Limit};
use super::{EvidenceError, EvidencePack, canonical};
use crate::contract::Contract;
use crate::workspace::{Workspace, WorkspaceError};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};
use tokio_util::sync::CancellationToken;

use crate::run_folder::{ARTIFACTS_DIR, CONTRACT_FILE};

/// A contract file bigger than this is not one forge wrote.
const CONTRACT_CAP: Limit = Limit(4 * 1024 * 1024);
/// Artifacts are source files the model wrote; this only bounds memory.
const ARTIFACT_CAP: Limit = Limit(1024 * 1024 * 1024);

#[derive(Debug, thiserror::Error)]
pub enum RecheckError {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Contract(#[from] crate::contract::ContractError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Validate(#[from] crate::validate::ValidateError),
}

impl From<RecheckError> for crate::Error {
    fn from(e: RecheckError) -> crate::Error {
        match e {
            RecheckError::Evidence(e) => e.into(),
            RecheckError::Contract(e) => e.into(),
            RecheckError::Workspace(e) => e.into(),
            RecheckError::Validate(e) => e.into(),
        }
    }
}

/// What a validator recorded or does now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub score: f64,
}

/// One validator, then and now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub name: String,
    /// None: the pack's final iteration has no result for it.
    pub recorded: Option<Outcome>,
    pub now: Outcome,
    pub matches: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecheckReport {
    pub run_id: String,
    pub matches: bool,
    pub validators: Vec<Comparison>,
}

/// Where a run's record is: its folder under ROOT/.forge/runs and the root it belongs to.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub root: PathBuf,
    pub run_dir: PathBuf,
    pub pack: EvidencePack,
}

impl RunRecord {
    /// Read the pack at `pack_path` (its hash must hold) and find its run folder: the pack's
    /// own folder when that holds the stored contract, else `root`'s folder for its run id.
    pub fn open(pack_path: &Path, root: &Path) -> Result<RunRecord, EvidenceError> {
        let loaded = input::load_pack(pack_path)?;
        let content = canonical::signed_bytes(&loaded.value).map_err(EvidenceError::Serialize)?;
        let sha256 = canonical::sha256_hex(&content);
        if loaded.pack.integrity.as_ref().map(|i| i.sha256.as_str()) != Some(sha256.as_str()) {
            return Err(EvidenceError::Altered(format!(
                "{} does not hash to its integrity.sha256 (altered or unsigned); run `forge evidence verify` on it",
                pack_path.display()
            )));
        }
        let run_id = &loaded.pack.metadata.run_id;
        let beside = pack_path
            .parent()
            .filter(|d| d.join(CONTRACT_FILE).exists());
        let (root, run_dir) = match beside {
            // ROOT/.forge/runs/RUN_ID/evidence.json
            Some(dir)
                if *dir
                    == crate::layout::run_dir(dir.ancestors().nth(3).unwrap_or(root), run_id) =>
            {
                let root = dir.ancestors().nth(3).unwrap_or(root).to_path_buf();
                (root, dir.to_path_buf())
            }
            _ => (root.to_path_buf(), crate::layout::run_dir(root, run_id)),
        };
        Ok(RunRecord {
            root,
            run_dir,
            pack: loaded.pack,
        })
    }
}

/// Check the stored contract and artifacts against the pack, then run the validators in a
/// private copy of the root with the artifacts laid over it, and compare.
pub async fn recheck(
    record: &RunRecord,
    cancel: &CancellationToken,
) -> Result<RecheckReport, RecheckError> {
    let contract = stored_contract(record)?;
    let artifacts = record.run_dir.join(ARTIFACTS_DIR);
    check_artifacts(record, &artifacts)?;
    let ws = Workspace::create(&record.root)?;
    overlay(&ws, record, &artifacts)?;
    let results = crate::validate::run_all_with_env(
        &contract.validators,
        ws.path(),
        &ws.env(),
        cancel,
        &|_| {},
    )
    .await?;
    let recorded = record
        .pack
        .raw_evidence
        .iterations
        .last()
        .map(|it| it.validations.as_slice())
        .unwrap_or_default();
    let validators: Vec<Comparison> = results
        .iter()
        .map(|r| {
            let now = Outcome {
                exit_code: r.exit_code,
                timed_out: r.timed_out,
                score: r.score,
            };
            let recorded = recorded.iter().find(|v| v.name == r.name).map(|v| Outcome {
                exit_code: v.exit_code,
                timed_out: v.timed_out,
                score: v.score,
            });
            let matches = recorded.as_ref().is_some_and(|then| {
                then.exit_code == now.exit_code
                    && then.timed_out == now.timed_out
                    && (then.score - now.score).abs() < 1e-9
            });
            Comparison {
                name: r.name.clone(),
                recorded,
                now,
                matches,
            }
        })
        .collect();
    Ok(RecheckReport {
        run_id: record.pack.metadata.run_id.clone(),
        matches: validators.iter().all(|c| c.matches),
        validators,
    })
}

/// The run's byte copy of its contract, which must be the one the pack names.
fn stored_contract(record: &RunRecord) -> Result<Contract, RecheckError> {
    let path = record.run_dir.join(CONTRACT_FILE);
    let bytes =
        input::read_regular(&path, CONTRACT_CAP).map_err(|e| EvidenceError::Unreadable {
            path: path.display().to_string(),
            message: format!("the run's stored contract: {e}"),
        })?;
    let sha256 = canonical::sha256_hex(&bytes);
    let named = &record.pack.metadata.contract.sha256;
    if &sha256 != named {
        return Err(EvidenceError::Altered(format!(
            "{} hashes to {sha256}, but the pack names contract sha256 {named}: not the contract this run used",
            path.display()
        ))
        .into());
    }
    Ok(crate::contract::load(&path, Some(&record.root))?)
}

/// Every kept artifact must still be what the pack recorded, before anything runs.
fn check_artifacts(record: &RunRecord, dir: &Path) -> Result<(), RecheckError> {
    let base = dir.canonicalize().map_err(|e| EvidenceError::Unreadable {
        path: dir.display().to_string(),
        message: format!("the run's kept artifacts: {e}"),
    })?;
    let problems: Vec<String> = record
        .pack
        .raw_evidence
        .artifacts
        .iter()
        .filter_map(|a| {
            let o = check_one(dir, &base, a);
            (!o.ok).then(|| format!("{}: {}", a.path, o.detail))
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(EvidenceError::Altered(format!(
        "the kept artifacts do not match the pack, nothing was run: {}",
        problems.join("; ")
    ))
    .into())
}

/// Write each artifact into the workspace, never through a symlink the root's copy holds.
fn overlay(ws: &Workspace, record: &RunRecord, dir: &Path) -> Result<(), RecheckError> {
    for a in &record.pack.raw_evidence.artifacts {
        let rel = Path::new(&a.path);
        let unsafe_path = |reason: String| WorkspaceError::Read {
            path: ws.path().join(rel),
            message: reason,
        };
        let mut at = ws.path().to_path_buf();
        for c in rel.components() {
            let Component::Normal(part) = c else {
                return Err(unsafe_path("not a plain relative path".to_string()).into());
            };
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(unsafe_path(
                        "a symlink in the root's copy; an artifact is never written through one"
                            .to_string(),
                    )
                    .into());
                }
                _ => {}
            }
        }
        let bytes = input::read_regular(&dir.join(rel), ARTIFACT_CAP).map_err(|e| {
            EvidenceError::Unreadable {
                path: dir.join(rel).display().to_string(),
                message: e.to_string(),
            }
        })?;
        let target = ws.path().join(rel);
        let write = |e: std::io::Error| WorkspaceError::Copy {
            path: target.clone(),
            message: e.to_string(),
        };
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(write)?;
        }
        crate::fsutil::write_atomic(&target, &bytes, None).map_err(write)?;
    }
    Ok(())
}
