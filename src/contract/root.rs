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
        return existing_dir(flag).map_err(|why| {
            RootProblem::Elsewhere(ContractError::Root {
                message: format!("--root {}: {why}", flag.display()),
            })
        });
    }
    if let Some(key) = root_key {
        let wanted = contract_dir.join(&key.value);
        return existing_dir(&wanted).map_err(|why| {
            RootProblem::InContract(Diagnostic {
                line: key.line,
                column: key.column,
                message: format!("root `{}` ({}): {why}", key.value, wanted.display()),
                help: Some("`root` is relative to the contract's folder".into()),
            })
        });
    }
    if let Some(top) = contract_dir.ancestors().find(|a| a.join(".git").exists()) {
        return Ok(top.to_path_buf());
    }
    std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| {
            RootProblem::Elsewhere(ContractError::Root {
                message: format!("cannot use the current directory as the root: {e}"),
            })
        })
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
