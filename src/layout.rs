//! Where forge keeps things on disk (SPEC §4): `ROOT/.forge/...` and `$XDG_CONFIG_HOME/forge/...`.

use std::path::{Path, PathBuf};

pub const FORGE_DIR: &str = ".forge";

pub fn forge_dir(root: &Path) -> PathBuf {
    root.join(FORGE_DIR)
}

pub fn history_db(root: &Path) -> PathBuf {
    forge_dir(root).join("history.db")
}

pub fn runs_dir(root: &Path) -> PathBuf {
    forge_dir(root).join("runs")
}

pub fn run_dir(root: &Path, run_id: &str) -> PathBuf {
    runs_dir(root).join(run_id)
}

/// `$XDG_CONFIG_HOME/forge`, falling back to `~/.config/forge` as the XDG spec says.
pub fn config_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".config"),
    };
    Some(base.join("forge"))
}

/// Create `ROOT/.forge/` if needed, with a `.gitignore` holding `*` so that `git status` stays
/// clean (SPEC §4). An existing `.gitignore` is left as the user made it.
pub fn ensure_forge_dir(root: &Path) -> std::io::Result<PathBuf> {
    let dir = forge_dir(root);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        crate::fsutil::write_atomic(&ignore, b"*\n", None)?;
    }
    Ok(dir)
}
