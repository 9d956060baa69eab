//! Answer Contracts (SPEC §1): the types, loading with located errors, and the JSON Schema.

mod check;
mod model;
mod paths;
mod raw;
mod read;
mod root;
mod schema;
mod yaml_error;

pub use check::is_valid_name;
pub use model::*;
pub use paths::PathMatcher;
pub use read::MAX_CONTRACT_BYTES;
pub use schema::json_schema;

use std::path::Path;

/// A contract that could not be read or is invalid. Display gives every problem as
/// `file:line:col: message` with what was expected and, for a misspelt key, a suggestion.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("cannot read contract {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{}", render_diagnostics(.path, .diagnostics))]
    Invalid {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// The workspace root given with `--root` or the current directory is unusable.
    #[error("{message}")]
    Root { message: String },
}

impl ContractError {
    /// The located problems, if the contract was readable but invalid.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ContractError::Invalid { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }
}

/// One problem in a contract, pointing at the line and column it is about (1-based).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// e.g. "did you mean `threshold`?"
    pub help: Option<String>,
}

fn render_diagnostics(path: &str, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    if diags.len() > 1 {
        out.push_str(&format!("{path} has {} problems:\n", diags.len()));
    }
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{path}:{}:{}: {}", d.line, d.column, d.message));
        if let Some(h) = &d.help {
            out.push_str(&format!("\n  help: {h}"));
        }
    }
    out
}

/// Load, validate and resolve a contract. `root_override` is `--root`.
pub fn load(path: &Path, root_override: Option<&Path>) -> Result<Contract, ContractError> {
    let shown = path.display().to_string();
    let invalid = |diagnostics: Vec<Diagnostic>| ContractError::Invalid {
        path: shown.clone(),
        diagnostics,
    };
    let bytes = read::read_bytes(path, &shown)?;
    let text = read::decode(&bytes).map_err(|d| invalid(vec![d]))?;
    if text.trim().is_empty() {
        return Err(invalid(vec![check::empty_document()]));
    }
    let doc: raw::At<raw::RawContract> = match serde_saphyr::from_str(text) {
        Ok(doc) => doc,
        Err(e) => return Err(invalid(vec![yaml_error::diagnostic(&e)])),
    };
    if doc.value.is_empty() {
        return Err(invalid(vec![check::empty_document()]));
    }

    let absolute = path.canonicalize().map_err(|e| ContractError::Unreadable {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let folder = absolute.parent().unwrap_or(Path::new("/"));
    let mut diagnostics = Vec::new();
    let root = match root::resolve(folder, doc.value.root.as_ref(), root_override) {
        Ok(r) => Some(r),
        Err(root::RootProblem::InContract(d)) => {
            diagnostics.push(d);
            None
        }
        Err(root::RootProblem::Elsewhere(e)) => return Err(e),
    };
    let origin = check::Origin {
        path: absolute,
        sha256: crate::sha::sha256_hex(&bytes),
        bytes: bytes.clone(),
        root,
    };
    match check::build(doc, origin) {
        Ok(contract) if diagnostics.is_empty() => Ok(contract),
        Ok(_) => Err(invalid(diagnostics)),
        Err(more) => {
            diagnostics.extend(more);
            diagnostics.sort_by_key(|d| (d.line, d.column));
            Err(invalid(diagnostics))
        }
    }
}

impl Contract {
    /// The compiled `files` globs: what the model may create or change.
    pub fn edit_matcher(&self) -> PathMatcher {
        PathMatcher::new(&self.files)
    }

    /// Whether the model may create or change `rel` (relative to the root). Compiles the globs
    /// on each call; keep an `edit_matcher()` to test many paths.
    pub fn allows_edit(&self, rel: &Path) -> bool {
        self.edit_matcher().matches(rel)
    }

    /// The `context` globs (relative to the root): files shown to the model read-only.
    pub fn context_globs(&self) -> &[String] {
        &self.context
    }

    /// The compiled `context` globs.
    pub fn context_matcher(&self) -> PathMatcher {
        PathMatcher::new(&self.context)
    }
}

#[cfg(test)]
mod tests;
