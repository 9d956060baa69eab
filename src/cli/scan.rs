//! `forge scan`: look for secrets (and with `--pii` personal data) in files, print
//! `file:line: kind` per finding, exit 0 clean, 1 found, 2 bad input.

use super::args::ScanArgs;
use crate::error::{Error, exit};
use crate::privacy::{ScanRequest, scan};
use std::path::PathBuf;

pub fn run(g: &super::Global, a: ScanArgs) -> Result<u8, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::Environment(format!("cannot read the current directory: {e}")))?;
    let root = match &g.root {
        Some(r) if r.is_dir() => r.clone(),
        Some(r) => {
            return Err(Error::Usage(format!(
                "--root {}: no such directory",
                r.display()
            )));
        }
        None => default_root(&cwd),
    };
    let report = scan(&ScanRequest {
        root: &root,
        paths: &a.paths,
        pii: a.pii,
        shown_from: &cwd,
    })
    .map_err(|e| Error::Usage(e.to_string()))?;
    for s in &report.skipped {
        super::output::warn(g, &format!("skipped {}: {}", s.file, s.reason));
    }
    if !g.quiet {
        let out = if g.json {
            format!("{}\n", serde_json::json!(report))
        } else {
            report
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "{}:{}: {}\n",
                        crate::term::safe_line(&f.file),
                        f.line,
                        f.kind
                    )
                })
                .collect()
        };
        super::output::out(&out)?;
    }
    Ok(if report.findings.is_empty() {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// The git top level above the current directory, else the current directory.
fn default_root(cwd: &std::path::Path) -> PathBuf {
    cwd.ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}
