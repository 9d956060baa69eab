//! Putting a pack on disk (evidence.json + evidence.md, each atomically) and reading one back.

use super::{EvidenceError, EvidencePack, render_markdown};
use std::path::{Path, PathBuf};

pub const JSON_FILE: &str = "evidence.json";
pub const MARKDOWN_FILE: &str = "evidence.md";

/// Where `write_pack` put the two files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackPaths {
    pub json: PathBuf,
    pub markdown: PathBuf,
}

/// Write `run_dir/evidence.json` (pretty-printed; the signature is over the canonical form, so
/// layout does not matter) and `run_dir/evidence.md` rendered from it, and make the whole run
/// folder durable with them: what the run left there unsynced (its contract, events, cassette,
/// artifacts) is on disk before the pack is.
pub fn write_pack(run_dir: &Path, pack: &EvidencePack) -> Result<PackPaths, EvidenceError> {
    let mut json = serde_json::to_vec_pretty(pack).map_err(EvidenceError::Serialize)?;
    json.push(b'\n');
    let paths = PackPaths {
        json: run_dir.join(JSON_FILE),
        markdown: run_dir.join(MARKDOWN_FILE),
    };
    let markdown = render_markdown(pack);
    crate::fsutil::seal_folder(
        run_dir,
        &[(JSON_FILE, &json), (MARKDOWN_FILE, markdown.as_bytes())],
    )
    .map_err(|e| EvidenceError::Write {
        path: run_dir.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(paths)
}

/// Read and parse a pack file (no integrity check: that is `verify`).
pub fn read_pack(path: &Path) -> Result<EvidencePack, EvidenceError> {
    let unreadable = |message: String| EvidenceError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| unreadable(format!("not a forge evidence pack: {e}")))
}
