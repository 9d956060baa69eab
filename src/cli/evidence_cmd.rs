//! `forge evidence show|export|verify`.
use super::args::{EvidenceCommand, ExportFormat};
use super::output::{json, out, out_bytes, out_line};
use crate::error::{Error, exit};
use crate::evidence::{self, EvidenceError, EvidenceKey};
use crate::term::{safe_line, safe_text};
use std::path::{Path, PathBuf};

pub fn run(g: &super::Global, a: EvidenceCommand) -> Result<u8, Error> {
    match a {
        EvidenceCommand::Show { target } => {
            let path = resolve(g, &target)?;
            let pack = evidence::read_pack(&path)?;
            if g.json {
                out_line(&json(&pack)?)?;
            } else {
                // A pack holds model output and tool logs: nothing in it may act on the terminal.
                out(&safe_text(&evidence::render_markdown(&pack)))?;
            }
            Ok(exit::OK)
        }
        EvidenceCommand::Export {
            run_id,
            format,
            output,
        } => {
            let path = resolve(g, &run_id)?;
            let pack = evidence::read_pack(&path)?;
            let bytes = match format {
                // The file as written: its bytes are what was signed (in canonical form).
                ExportFormat::Json => std::fs::read(&path).map_err(|e| unreadable(&path, e))?,
                ExportFormat::Md => evidence::render_markdown(&pack).into_bytes(),
            };
            match output {
                Some(out) => crate::fsutil::write_atomic(&out, &bytes, None).map_err(|e| {
                    Error::Environment(format!("cannot write {}: {e}", out.display()))
                })?,
                None => out_bytes(&bytes)?,
            }
            Ok(exit::OK)
        }
        EvidenceCommand::Verify {
            pack,
            key_file,
            artifacts,
        } => verify(g, &pack, key_file.as_deref(), artifacts.as_deref()),
    }
}

fn verify(
    g: &super::Global,
    pack: &Path,
    key_file: Option<&Path>,
    artifacts: Option<&Path>,
) -> Result<u8, Error> {
    let bytes = std::fs::read(pack).map_err(|e| unreadable(pack, e))?;
    if let Some(dir) = artifacts {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--artifacts {}: not a folder (expected the folder the pack's artifact paths are relative to)",
                dir.display()
            )));
        }
    }
    let key = EvidenceKey::for_verifying(key_file)?;
    let report = evidence::verify(&bytes, key.as_ref(), artifacts);
    let shown = safe_line(&pack.display().to_string()).into_owned();
    if g.json {
        out_line(&json(&report)?)?;
    } else if !g.quiet {
        for c in &report.checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            out_line(&format!("{mark} {}: {}", c.name, safe_line(&c.detail)))?;
        }
        if report.valid {
            out_line(&format!("{shown}: valid"))?;
        }
    }
    if !report.valid {
        let failed: Vec<String> = report
            .failures()
            .map(|c| format!("{} ({})", c.name, c.detail))
            .collect();
        let what = if report.unreadable() {
            "unreadable"
        } else {
            "invalid"
        };
        super::output::err_line(&format!(
            "error: {shown} is {what}: failed check: {}",
            safe_line(&failed.join("; "))
        ));
    }
    Ok(if report.valid {
        exit::OK
    } else if report.unreadable() {
        exit::USAGE
    } else {
        exit::FAILED
    })
}

/// A pack path (a file, or a run folder holding evidence.json) or a run id under ROOT/.forge/runs.
fn resolve(g: &super::Global, target: &str) -> Result<PathBuf, Error> {
    let as_path = Path::new(target);
    if as_path.is_file() {
        return Ok(as_path.to_path_buf());
    }
    if as_path.is_dir() && as_path.join("evidence.json").is_file() {
        return Ok(as_path.join("evidence.json"));
    }
    if !crate::history::is_run_id(target) {
        return Err(Error::Usage(format!(
            "`{target}` is neither an evidence pack file nor a run id"
        )));
    }
    let root = super::project::root(g)?;
    let mut path = crate::layout::run_dir(&root, target).join("evidence.json");
    if !path.is_file() {
        // An abbreviated id, as `runs show` takes; an ambiguous one says which runs it fits.
        let history = crate::history::History::open_read_only(&root);
        match history.and_then(|h| h.resolve_run_id(target)) {
            Ok(full) => path = crate::layout::run_dir(&root, &full).join("evidence.json"),
            Err(e @ crate::history::HistoryError::AmbiguousRun { .. }) => return Err(e.into()),
            Err(_) => {}
        }
    }
    if !path.is_file() {
        return Err(Error::Usage(format!(
            "no evidence pack for run `{target}` (looked for {})",
            path.display()
        )));
    }
    Ok(path)
}

fn unreadable(path: &Path, e: std::io::Error) -> Error {
    EvidenceError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    }
    .into()
}
