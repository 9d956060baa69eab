//! Finding the workspace root (SPEC §1): `--root`, else the contract's `root:` (relative to its
//! folder), else the nearest ancestor folder holding `.git`, else the current directory.

use super::raw::At;
use super::{ContractError, Diagnostic};
use std::path::{Path, PathBuf};

/// Why no root could be found: a located problem in the contract, or one outside it.
pub enum RootProblem {
    InContract(Diagnostic),
    Elsewhere(ContractError),
}

/// The canonical root for a contract living in `contract_dir` (itself canonical).
pub fn resolve(
    contract_dir: &Path,
    root_key: Option<&At<String>>,
    root_flag: Option<&Path>,
) -> Result<PathBuf, RootProblem> {
    if let Some(flag) = root_flag {
        return existing_dir(flag)
            .and_then(|d| safe_root(d, "pass the project's own folder"))
            .map_err(|why| {
                RootProblem::Elsewhere(ContractError::Root {
                    message: format!("--root {}: {why}", flag.display()),
                })
            });
    }
    if let Some(key) = root_key {
        let wanted = contract_dir.join(&key.value);
        return existing_dir(&wanted)
            .and_then(|d| safe_root(d, "point `root` at the project's own folder"))
            .map_err(|why| {
                RootProblem::InContract(Diagnostic {
                    line: key.line,
                    column: key.column,
                    message: format!("root `{}` ({}): {why}", key.value, wanted.display()),
                    help: Some("`root` is relative to the contract's folder".into()),
                })
            });
    }
    let found = match contract_dir.ancestors().find(|a| a.join(".git").exists()) {
        Some(top) => Ok((top.to_path_buf(), "the git top level")),
        None => std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map(|d| (d, "the current directory"))
            .map_err(|e| format!("cannot use the current directory as the root: {e}")),
    };
    found
        .and_then(|(dir, what)| {
            safe_root(dir, "add `root:` to the contract or pass --root")
                .map_err(|why| format!("the root would be {what}, but {why}"))
        })
        .map_err(|message| RootProblem::Elsewhere(ContractError::Root { message }))
}

/// Folders a run must never treat as its project: the copy would take the whole file system,
/// a home folder or a system tree, and a converged run would write into it.
const SYSTEM_DIRS: [&str; 18] = [
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/opt", "/proc", "/root",
    "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var",
];

/// `dir` (canonical) unless it is a dangerous root; `what_to_do` ends the refusal.
fn safe_root(dir: PathBuf, what_to_do: &str) -> Result<PathBuf, String> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .and_then(|h| h.canonicalize().ok());
    let temp = std::env::temp_dir().canonicalize().ok();
    let why = if dir.parent().is_none() {
        Some("the file system root")
    } else if home.as_deref() == Some(dir.as_path()) {
        Some("your home folder")
    } else if temp.as_deref() == Some(dir.as_path()) {
        Some("the temp folder")
    } else if SYSTEM_DIRS.iter().any(|s| Path::new(s) == dir) {
        Some("a system folder")
    } else {
        None
    };
    match why {
        Some(why) => Err(format!(
            "{} is {why}; forge copies the root and may write into it, so it refuses such a \
             root: {what_to_do}",
            dir.display()
        )),
        None => Ok(dir),
    }
}

fn existing_dir(p: &Path) -> Result<PathBuf, String> {
    let canonical = p.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such directory".to_string(),
        _ => e.to_string(),
    })?;
    if canonical.is_dir() {
        Ok(canonical)
    } else {
        Err("not a directory".into())
    }
}
