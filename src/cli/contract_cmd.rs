//! `forge contract lint|schema`.
use super::args::ContractCommand;
use crate::contract::{self, ContractError};
use crate::error::{Error, exit};
use std::io::Write;
use std::path::Path;

pub fn run(g: &super::Global, a: ContractCommand) -> Result<u8, Error> {
    match a {
        ContractCommand::Lint { contract } => lint(g, &contract),
        ContractCommand::Schema => {
            let text = serde_json::to_string_pretty(&contract::json_schema())
                .map_err(|e| Error::Environment(format!("cannot print the schema: {e}")))?;
            print_out(&text)?;
            Ok(exit::OK)
        }
    }
}

fn lint(g: &super::Global, path: &Path) -> Result<u8, Error> {
    match contract::load(path, g.root.as_deref()) {
        Ok(c) => {
            if g.json {
                let ok = serde_json::json!({ "valid": true, "diagnostics": [], "root": c.root });
                print_out(&ok.to_string())?;
            } else if !g.quiet {
                print_out(&format!(
                    "ok: {} ({} validator{}, threshold {}, root {})",
                    path.display(),
                    c.validators.len(),
                    if c.validators.len() == 1 { "" } else { "s" },
                    c.threshold,
                    c.root.display()
                ))?;
            }
            Ok(exit::OK)
        }
        Err(e) => {
            if g.json {
                print_out(&lint_json(&e).to_string())?;
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

/// Print a line on stdout; a reader that went away (`forge contract schema | head`) is not an
/// error worth a message.
pub(super) fn print_out(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Environment(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
