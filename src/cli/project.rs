//! Finding the project root for commands that have no contract to read it from (`runs`,
//! `evidence`, `init`): run from any subfolder, they find the same root as `converge` does.

use crate::error::Error;
use std::path::{Path, PathBuf};

/// `--root`, else the nearest folder (the current one or above) holding `.forge/` or `.git`,
/// else the current folder.
pub fn root(g: &super::Global) -> Result<PathBuf, Error> {
    if let Some(r) = &g.root {
        return Ok(r.clone());
    }
    let here = std::env::current_dir()
        .map_err(|e| Error::Environment(format!("cannot read the current folder: {e}")))?;
    Ok(nearest(&here).unwrap_or(here))
}

fn nearest(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|a| a.join(crate::layout::FORGE_DIR).is_dir() || a.join(".git").exists())
        .map(Path::to_path_buf)
}
