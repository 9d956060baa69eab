//! `forge evidence show|export|verify`.
use super::args::{EvidenceCommand, ExportFormat};
use crate::error::{Error, exit};
use crate::evidence::{self, EvidenceError, EvidenceKey};
use std::path::{Path, PathBuf};

pub fn run(g: &super::Global, a: EvidenceCommand) -> Result<u8, Error> {
    match a {
        EvidenceCommand::Show { target } => {
            let path = resolve(g, &target)?;
            let pack = evidence::read_pack(&path)?;
            print!("{}", evidence::render_markdown(&pack));
            if let Some(a) = evidence::approval::read(run_dir_of(&path))? {
                print!("{}", evidence::approval::markdown(&a));
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
                None => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&bytes)
                        .map_err(|e| Error::Environment(format!("cannot write to stdout: {e}")))?;
                }
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
    let mut report = evidence::verify(&bytes, key.as_ref(), artifacts);
    add_approval_checks(&mut report, pack, &bytes, key.as_ref());
    if g.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
        println!("{json}");
    } else if !g.quiet {
        for c in &report.checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            println!("{mark} {}: {}", c.name, c.detail);
        }
        if report.valid {
            println!("{}: valid", pack.display());
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
        eprintln!(
            "error: {} is {what}: failed check: {}",
            pack.display(),
            failed.join("; ")
        );
    }
    Ok(if report.valid {
        exit::OK
    } else if report.unreadable() {
        exit::USAGE
    } else {
        exit::FAILED
    })
}

/// The folder a pack lives in, where its run keeps approval.json.
fn run_dir_of(pack: &Path) -> &Path {
    pack.parent().unwrap_or(Path::new("."))
}

/// When the pack's run holds an approval.json, its checks join the report (SPEC §12).
fn add_approval_checks(
    report: &mut evidence::VerifyReport,
    pack: &Path,
    bytes: &[u8],
    key: Option<&EvidenceKey>,
) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return;
    };
    let Ok(canonical) = evidence::canonical::signed_bytes(&value) else {
        return;
    };
    let sha = evidence::canonical::sha256_hex(&canonical);
    if let Some(checks) = evidence::approval::check(run_dir_of(pack), &sha, key) {
        report.checks.extend(checks);
        report.valid = report.checks.iter().all(|c| c.ok);
    }
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
    let root = super::runs::root_dir(g)?;
    let path = crate::layout::run_dir(&root, target).join("evidence.json");
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
