//! Scanning files (`forge scan`): the root's files git would track, or the paths given, each
//! read once and run through the detector; findings name file, line and kind, never the value.

use super::PrivacyError;
use super::allow::AllowList;
use super::detect::{Detector, line_numbers};
use super::kind::{Category, Kind};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Larger files are skipped and listed as such: a secret scanner must bound what it reads.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// How many bytes at the start of a file decide whether it is binary (as git does, a NUL).
const BINARY_PROBE: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileFinding {
    pub file: String,
    pub line: usize,
    pub kind: Kind,
    pub category: Category,
}

#[derive(Debug, Default, Serialize)]
pub struct ScanReport {
    pub findings: Vec<FileFinding>,
    /// Text files read.
    pub files: usize,
    pub bytes: u64,
    /// Files not read, with why (binary files are not counted here).
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// What to scan and for what.
pub struct ScanRequest<'a> {
    /// Walked when `paths` is empty.
    pub root: &'a Path,
    /// Files (scanned even if git ignores them) and folders (walked as the root is).
    pub paths: &'a [PathBuf],
    pub pii: bool,
    /// Paths are shown relative to this folder when they are beneath it.
    pub shown_from: &'a Path,
}

/// Scan every file the request names, on all cores.
pub fn scan(req: &ScanRequest) -> Result<ScanReport, PrivacyError> {
    let detector = Detector::shared()?;
    let mut files: Vec<PathBuf> = Vec::new();
    let mut folders: Vec<PathBuf> = Vec::new();
    if req.paths.is_empty() {
        folders.push(req.root.to_path_buf());
    }
    for p in req.paths {
        let meta = std::fs::metadata(p).map_err(|e| PrivacyError::Scan {
            path: p.display().to_string(),
            message: e.to_string(),
        })?;
        if meta.is_dir() {
            folders.push(p.clone());
        } else {
            files.push(p.clone());
        }
    }
    let report = Mutex::new(ScanReport::default());
    let scan_one = |path: &Path| {
        let result = scan_file(detector, path, req.pii);
        let shown = shown(path, req.shown_from);
        let mut r = report.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(Some((bytes, found))) => {
                r.files += 1;
                r.bytes += bytes;
                r.findings
                    .extend(found.into_iter().map(|(line, kind)| FileFinding {
                        file: shown.clone(),
                        line,
                        kind,
                        category: kind.category(),
                    }));
            }
            Ok(None) => {}
            Err(reason) => r.skipped.push(Skipped {
                file: shown,
                reason,
            }),
        }
    };
    for f in &files {
        scan_one(f);
    }
    if !folders.is_empty() {
        let mut walk = walker(&folders[0]);
        for f in &folders[1..] {
            walk.add(f);
        }
        walk.build_parallel().run(|| {
            Box::new(|entry| {
                if let Ok(e) = entry {
                    if e.file_type().is_some_and(|t| t.is_file()) {
                        scan_one(e.path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut report = report.into_inner().unwrap_or_else(|p| p.into_inner());
    report.findings.sort();
    report.findings.dedup();
    report.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(report)
}

/// The files git would track: `.gitignore`, `.git/info/exclude` and the global excludes are
/// honoured, hidden files are not skipped, `.git` and `.forge` are left out.
fn walker(first: &Path) -> ignore::WalkBuilder {
    let mut w = ignore::WalkBuilder::new(first);
    w.hidden(false)
        .ignore(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(true)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name();
            name != ".git" && name != crate::layout::FORGE_DIR
        });
    if let Ok(n) = std::thread::available_parallelism() {
        w.threads(n.get());
    }
    w
}

/// `(bytes, [(line, kind)])` for a text file, None for a binary one, Err(why) if unreadable.
type FileResult = Result<Option<(u64, Vec<(usize, Kind)>)>, String>;

fn scan_file(detector: &Detector, path: &Path, pii: bool) -> FileResult {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{size} bytes is over the {MAX_FILE_BYTES}-byte limit"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return Ok(None);
    }
    let wanted = |c: Category| c == Category::Secret || pii;
    let hits = detector.find(&bytes, &wanted, &AllowList::default());
    let lines = line_numbers(&bytes, &hits);
    Ok(Some((
        bytes.len() as u64,
        lines
            .into_iter()
            .zip(hits)
            .map(|(l, h)| (l, h.kind))
            .collect(),
    )))
}

fn shown(path: &Path, from: &Path) -> String {
    let rel = path.strip_prefix(from).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    rel.display().to_string()
}
