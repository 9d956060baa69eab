//! `forge contract lint|schema`.
use super::args::ContractCommand;
use super::output::{json, out_line};
use crate::contract::{self, ContractError};
use crate::error::{Error, exit};
use crate::term::safe_line;
use std::path::Path;

pub fn run(g: &super::Global, a: ContractCommand) -> Result<u8, Error> {
    match a {
        ContractCommand::Lint { contract } => lint(g, &contract),
        ContractCommand::Schema => {
            out_line(&json(&contract::json_schema())?)?;
            Ok(exit::OK)
        }
    }
}

fn lint(g: &super::Global, path: &Path) -> Result<u8, Error> {
    match contract::load(path, g.root.as_deref()) {
        Ok(c) => {
            let unmatched = c.unmatched_globs();
            if g.json {
                let warnings: Vec<_> = unmatched
                    .iter()
                    .map(|u| serde_json::json!({"key": u.key, "pattern": u.pattern, "message": u.message()}))
                    .collect();
                let ok = serde_json::json!({
                    "valid": true, "diagnostics": [], "warnings": warnings, "root": c.root
                });
                out_line(&crate::term::safe_json(&ok.to_string()))?;
            } else if !g.quiet {
                out_line(&format!(
                    "ok: {} ({} validator{}, threshold {}, root {})",
                    safe_line(&path.display().to_string()),
                    c.validators.len(),
                    if c.validators.len() == 1 { "" } else { "s" },
                    c.threshold,
                    safe_line(&c.root.display().to_string())
                ))?;
            }
            if !g.json {
                for u in &unmatched {
                    super::output::warn(g, &u.message());
                }
            }
            Ok(exit::OK)
        }
        Err(e) => {
            if g.json {
                out_line(&crate::term::safe_json(&lint_json(&e).to_string()))?;
            }
            Err(e.into())
        }
    }
}

/// `{valid: false, diagnostics}`; a file that cannot be read at all has one unlocated problem.
fn lint_json(e: &ContractError) -> serde_json::Value {
    let diagnostics = match e {
        ContractError::Invalid { diagnostics, .. } => serde_json::json!(diagnostics),
        other => serde_json::json!([{
            "line": null, "column": null, "message": other.to_string(), "help": null
        }]),
    };
    serde_json::json!({ "valid": false, "diagnostics": diagnostics })
}
