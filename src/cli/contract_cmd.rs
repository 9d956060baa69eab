//! `forge contract lint|schema`.
use super::args::ContractCommand;
use crate::contract::{self, ContractError};
use crate::error::{Error, exit};
use std::path::Path;

pub fn run(g: &super::Global, a: ContractCommand) -> Result<u8, Error> {
    match a {
        ContractCommand::Lint { contract } => lint(g, &contract),
        ContractCommand::Schema => {
            let text = serde_json::to_string_pretty(&contract::json_schema())
                .map_err(|e| Error::Environment(format!("cannot print the schema: {e}")))?;
            println!("{text}");
            Ok(exit::OK)
        }
    }
}

fn lint(g: &super::Global, path: &Path) -> Result<u8, Error> {
    match contract::load(path, g.root.as_deref()) {
        Ok(c) => {
            if g.json {
                println!("{}", serde_json::json!({ "valid": true, "diagnostics": [] }));
            } else if !g.quiet {
                println!(
                    "ok: {} ({} validator{}, threshold {})",
                    path.display(),
                    c.validators.len(),
                    if c.validators.len() == 1 { "" } else { "s" },
                    c.threshold
                );
            }
            Ok(exit::OK)
        }
        Err(e) => {
            if g.json {
                println!("{}", lint_json(&e));
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
