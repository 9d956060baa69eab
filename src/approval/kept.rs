//! A finished run's kept record, as `forge diff`, `apply`, `reject` and the approval route read
//! it: the pack (its hash and signature checked), the files under `artifacts/` it lists, and the
//! root's state at the run's start.

use super::ApprovalError;
use crate::edits::RelPath;
use crate::engine::{Envelope, Event};
use crate::evidence::{self, EvidenceKey, EvidencePack};
use crate::workspace::BaseRecord;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct KeptRun {
    pub root: PathBuf,
    pub run_id: String,
    pub dir: PathBuf,
    pub pack: EvidencePack,
    /// The canonical hash of the pack, as its integrity block states and verify confirmed.
    pub pack_sha256: String,
    /// Every artifact the pack lists, with its bytes (digests checked).
    pub files: Vec<(RelPath, Vec<u8>)>,
}

impl KeptRun {
    /// Load run `run_id` of `root`, refusing a pack that does not verify with the evidence key
    /// or artifacts that no longer match it.
    pub fn load(root: &Path, run_id: &str) -> Result<KeptRun, ApprovalError> {
        let root = root.to_path_buf();
        if !crate::history::is_run_id(run_id) {
            return Err(ApprovalError::NotARunId(run_id.to_string()));
        }
        // Opening the history settles an interrupted write-back before the root is read.
        crate::history::History::open_read_only(&root)?;
        let dir = crate::layout::run_dir(&root, run_id);
        let pack_path = dir.join(evidence::JSON_FILE);
        let bytes = std::fs::read(&pack_path).map_err(|e| ApprovalError::NotFinished {
            run_id: run_id.to_string(),
            root: root.clone(),
            message: format!("{}: {e}", pack_path.display()),
        })?;
        let artifacts = dir.join("artifacts");
        let trust = evidence::Trust {
            hmac: EvidenceKey::for_verifying(None)?,
            public: Vec::new(),
        };
        let report = evidence::verify(&bytes, &trust, Some(&artifacts));
        if !report.valid {
            let failed: Vec<String> = report
                .failures()
                .map(|c| format!("{} ({})", c.name, c.detail))
                .collect();
            return Err(ApprovalError::Untrusted {
                run_id: run_id.to_string(),
                why: format!(
                    "its evidence pack does not verify, so its files are not trusted: {}",
                    failed.join("; ")
                ),
            });
        }
        let pack = evidence::read_pack(&pack_path)?;
        let pack_sha256 = pack
            .integrity
            .as_ref()
            .map(|i| i.sha256.clone())
            .unwrap_or_default();
        let mut files = Vec::with_capacity(pack.raw_evidence.artifacts.len());
        for a in &pack.raw_evidence.artifacts {
            let rel = RelPath::normalise(&a.path)
                .ok()
                .filter(|r| r.as_str() == a.path)
                .ok_or_else(|| ApprovalError::Untrusted {
                    run_id: run_id.to_string(),
                    why: format!("artifact path `{}` is not a plain relative path", a.path),
                })?;
            let path = rel.under(&artifacts);
            let bytes = std::fs::read(&path).map_err(|e| ApprovalError::Untrusted {
                run_id: run_id.to_string(),
                why: format!("cannot read {}: {e}", path.display()),
            })?;
            files.push((rel, bytes));
        }
        Ok(KeptRun {
            root,
            run_id: run_id.to_string(),
            dir,
            pack,
            pack_sha256,
            files,
        })
    }

    /// What the root held at the run's start, for the conflict check of an approval: the
    /// `artifacts_kept` event of `events.jsonl`, whose hash the (verified) pack carries.
    pub fn base(&self) -> Result<BaseRecord, ApprovalError> {
        let path = self.dir.join(crate::run_folder::EVENTS_FILE);
        let unusable = |why: String| ApprovalError::Unusable {
            run_id: self.run_id.clone(),
            why,
        };
        let bytes = std::fs::read(&path)
            .map_err(|e| unusable(format!("cannot read {}: {e}", path.display())))?;
        let recorded = self.pack.raw_evidence.events_sha256.as_deref();
        if recorded != Some(crate::sha::sha256_hex(&bytes).as_str()) {
            return Err(unusable(format!(
                "{} does not match the events_sha256 in its pack",
                path.display()
            )));
        }
        let kept = bytes
            .split(|b| *b == b'\n')
            .filter_map(|line| serde_json::from_slice::<Envelope>(line).ok())
            .find_map(|e| match e.event {
                Event::ArtifactsKept { base, .. } => Some(base),
                _ => None,
            });
        match kept {
            Some(files) if !files.is_empty() || self.files.is_empty() => Ok(BaseRecord { files }),
            _ => Err(unusable(
                "its record holds no state of the root at its start (a run from an older forge)"
                    .to_string(),
            )),
        }
    }

    /// The current bytes in the root of a kept file; `None` when it does not exist.
    pub fn current(&self, rel: &RelPath) -> Result<Option<Vec<u8>>, ApprovalError> {
        let path = rel.under(&self.root);
        match std::fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ApprovalError::Read {
                path,
                message: e.to_string(),
            }),
        }
    }
}
