//! Where forge keeps things on disk (SPEC §4): `ROOT/.forge/...` and `$XDG_CONFIG_HOME/forge/...`.

use std::path::{Path, PathBuf};

pub const FORGE_DIR: &str = ".forge";

pub fn forge_dir(root: &Path) -> PathBuf {
    root.join(FORGE_DIR)
}

/// Create ROOT/.forge (and its parents) if needed, with a `.gitignore` that ignores everything
/// in it, so forge's records never show up in `git status` whatever the project ignores.
pub fn create_forge_dir(root: &Path) -> std::io::Result<PathBuf> {
    let dir = forge_dir(root);
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        crate::fsutil::write_atomic(
            &ignore,
            b"# written by forge: its records are not project files\n*\n",
            None,
        )?;
    }
    Ok(dir)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forge_dir_ignores_itself_and_keeps_an_edited_gitignore() {
        let root = tempfile::tempdir().unwrap();
        let dir = create_forge_dir(root.path()).unwrap();
        let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
        std::fs::write(dir.join(".gitignore"), "mine\n").unwrap();
        create_forge_dir(root.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join(".gitignore")).unwrap(),
            "mine\n"
        );
    }
}
