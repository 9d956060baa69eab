//! `verify --artifacts DIR`: every file the pack lists must be a regular file inside DIR (no
//! symlink leading out of it) with the recorded size and sha256. Files are hashed in parallel,
//! streaming, so a large tree costs about what `sha256sum` costs.

use super::Artifact;
use super::input::{self, InputError};
use super::verify::short;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Component, Path};

/// What one artifact check found. `refused`: the input itself is unacceptable (outside DIR,
/// not a regular file, unreadable), as opposed to present but different.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactOutcome {
    pub ok: bool,
    pub refused: bool,
    pub detail: String,
}

impl ArtifactOutcome {
    fn ok(detail: String) -> Self {
        ArtifactOutcome {
            ok: true,
            refused: false,
            detail,
        }
    }
    fn differs(detail: String) -> Self {
        ArtifactOutcome {
            ok: false,
            refused: false,
            detail,
        }
    }
    fn refused(detail: String) -> Self {
        ArtifactOutcome {
            ok: false,
            refused: true,
            detail,
        }
    }
}

/// Check every artifact against `dir`, reporting each (in the pack's order) through `report`.
pub fn check_all(
    dir: &Path,
    artifacts: &[Artifact],
    report: &mut dyn FnMut(&str, ArtifactOutcome),
) {
    let base = match dir.canonicalize() {
        Ok(b) => b,
        Err(e) => {
            for a in artifacts {
                report(
                    &a.path,
                    ArtifactOutcome::refused(format!("cannot open {}: {e}", dir.display())),
                );
            }
            return;
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(artifacts.len().max(1));
    let mut results: Vec<Option<ArtifactOutcome>> = vec![None; artifacts.len()];
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let base = &base;
                s.spawn(move || {
                    artifacts
                        .iter()
                        .enumerate()
                        .skip(w)
                        .step_by(workers)
                        .map(|(i, a)| (i, check_one(dir, base, a)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            // A worker cannot panic short of a bug; its artifacts then stay unreported below.
            if let Ok(done) = h.join() {
                for (i, outcome) in done {
                    results[i] = Some(outcome);
                }
            }
        }
    });
    for (a, outcome) in artifacts.iter().zip(results) {
        let outcome = outcome
            .unwrap_or_else(|| ArtifactOutcome::refused("the check did not finish".to_string()));
        report(&a.path, outcome);
    }
}

/// `dir` as the user wrote it (for messages), `base` its canonical form.
pub fn check_one(dir: &Path, base: &Path, a: &Artifact) -> ArtifactOutcome {
    let rel = Path::new(&a.path);
    if a.path.is_empty() || !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return ArtifactOutcome::refused(format!(
            "`{}` is not a plain relative path; not checked",
            a.path
        ));
    }
    let shown = dir.join(rel);
    let real = match base.join(rel).canonicalize() {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return ArtifactOutcome::differs(format!(
                "missing: {} does not exist",
                shown.display()
            ));
        }
        Err(e) => return ArtifactOutcome::refused(format!("cannot read {}: {e}", shown.display())),
    };
    if !real.starts_with(base) {
        return ArtifactOutcome::refused(format!(
            "refused: {} leads outside {} (to {})",
            shown.display(),
            dir.display(),
            real.display()
        ));
    }
    match hash_file(&real) {
        Ok((size, _)) if size != a.size => ArtifactOutcome::differs(format!(
            "modified: {} has {size} bytes, the pack says {}",
            shown.display(),
            a.size
        )),
        Ok((_, actual)) if actual != a.sha256 => ArtifactOutcome::differs(format!(
            "modified: {} hashes to {}, the pack says {}",
            shown.display(),
            short(&actual),
            short(&a.sha256)
        )),
        Ok((size, _)) => ArtifactOutcome::ok(format!("sha256 {}, {size} bytes", short(&a.sha256))),
        Err(e) => ArtifactOutcome::refused(format!("refused: {}: {e}", shown.display())),
    }
}

/// Size and sha256 (hex) of a regular file, read in large blocks.
fn hash_file(path: &Path) -> Result<(u64, String), InputError> {
    let (mut file, _) = input::open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}
