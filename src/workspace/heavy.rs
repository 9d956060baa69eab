//! Heavy dependency and build folders: made available to validators without copying gigabytes.
//!
//! Choices, and why:
//! - `node_modules`, a Python virtualenv (`.venv`/`venv` holding `pyvenv.cfg`) and a Composer
//!   `vendor` (holding `autoload.php`) are symlinked into the workspace. Validators only read
//!   them; Node resolves packages through the link and a venv's `bin/python` finds its
//!   `pyvenv.cfg` through it. Edits can never land in them: an edit path through a symlink
//!   leading outside the workspace is refused.
//! - A Rust `target` (next to a `Cargo.toml`) is not copied or linked: validators get
//!   `CARGO_TARGET_DIR` pointing at the root's target folder (or the user's own
//!   `CARGO_TARGET_DIR`), so dependencies already built stay built and only the workspace's
//!   crate recompiles. Cargo writes build outputs there, as it would for the user's own builds;
//!   it is a cache guarded by cargo's lock, never a source file. A private target would rebuild
//!   every dependency each run and blow the validators' timeouts.
//! - Go's `vendor` is source and is copied like any other folder.

use std::path::Path;

/// What to do with a folder found in the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Heavy {
    /// Symlink it into the workspace.
    Link,
    /// Leave it out; the environment points at it.
    Skip,
}

/// Folder names worth checking; anything else is an ordinary folder.
pub(super) const NAMES: &[&str] = &["node_modules", ".venv", "venv", "vendor", "target"];

/// Whether `dir` (a real folder, not a symlink) is heavy, and how to handle it.
pub(super) fn classify(dir: &Path) -> Option<Heavy> {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return None;
    }
    let name = dir.file_name()?.to_str()?;
    let sibling = |f: &str| dir.parent().is_some_and(|p| p.join(f).is_file());
    match name {
        "node_modules" => Some(Heavy::Link),
        ".venv" | "venv" if dir.join("pyvenv.cfg").is_file() => Some(Heavy::Link),
        "vendor" if dir.join("autoload.php").is_file() => Some(Heavy::Link),
        "target" if sibling("Cargo.toml") => Some(Heavy::Skip),
        _ => None,
    }
}

/// Environment for validators run in a workspace of `root`.
pub(super) fn env(root: &Path) -> Vec<(String, String)> {
    if !root.join("Cargo.toml").is_file() {
        return Vec::new();
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) if !t.is_empty() => root.join(t),
        _ => root.join("target"),
    };
    vec![(
        "CARGO_TARGET_DIR".to_string(),
        target.to_string_lossy().into_owned(),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_dependency_folders_are_heavy() {
        let d = tempfile::tempdir().unwrap();
        let p = |s: &str| d.path().join(s);
        for dir in ["node_modules", "venv", ".venv", "vendor", "target", "src"] {
            std::fs::create_dir(p(dir)).unwrap();
        }
        assert_eq!(classify(&p("node_modules")), Some(Heavy::Link));
        assert_eq!(
            classify(&p("venv")),
            None,
            "a folder named venv without pyvenv.cfg"
        );
        std::fs::write(p(".venv/pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        assert_eq!(classify(&p(".venv")), Some(Heavy::Link));
        assert_eq!(classify(&p("vendor")), None, "Go vendor is source");
        assert_eq!(classify(&p("target")), None, "not a Rust project");
        std::fs::write(p("Cargo.toml"), "[package]\n").unwrap();
        assert_eq!(classify(&p("target")), Some(Heavy::Skip));
        assert_eq!(classify(&p("src")), None);
    }

    #[test]
    fn rust_roots_share_their_target_dir() {
        let d = tempfile::tempdir().unwrap();
        assert!(env(d.path()).is_empty());
        std::fs::write(d.path().join("Cargo.toml"), "[package]\n").unwrap();
        let env = env(d.path());
        assert_eq!(env.len(), 1);
        assert_eq!(env[0].0, "CARGO_TARGET_DIR");
    }
}
