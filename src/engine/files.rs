//! Which files the model sees: the allowed files and the read-only context, read from the workspace.

use super::prompt::ShownFile;
use std::path::Path;

/// Files above this size are named but not shown, so one big file cannot eat the budget.
const MAX_SHOWN_BYTES: u64 = 256 * 1024;

/// Every file under `dir` that `matches` (by root-relative path, `/`-separated), sorted, plus
/// each literal pattern in `patterns` that names a file not there yet (the model may create it).
pub fn collect(dir: &Path, patterns: &[String], matches: &dyn Fn(&Path) -> bool) -> Vec<ShownFile> {
    let mut out: Vec<ShownFile> = Vec::new();
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|e| {
            let name = e.file_name();
            name != ".git" && name != crate::layout::FORGE_DIR
        })
        .build();
    for entry in walker.flatten() {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        if !matches(rel) {
            continue;
        }
        out.push(ShownFile {
            path: slash_path(rel),
            text: Some(read_shown(entry.path())),
        });
    }
    for p in patterns {
        let literal = !p.contains(['*', '?', '[', '{']);
        let rel = p.trim_start_matches("./");
        if literal && !out.iter().any(|f| f.path == rel) && !dir.join(rel).exists() {
            out.push(ShownFile {
                path: rel.to_string(),
                text: None,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Read the named files (root-relative) as they stand now; missing ones show as not existing.
pub fn read(dir: &Path, paths: &[String]) -> Vec<ShownFile> {
    paths
        .iter()
        .map(|p| {
            let full = dir.join(p);
            let text = full.is_file().then(|| read_shown(&full));
            ShownFile {
                path: p.clone(),
                text,
            }
        })
        .collect()
}

fn read_shown(path: &Path) -> String {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_SHOWN_BYTES {
        return format!("(not shown: {size} bytes is too large)");
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => format!("(not shown: binary file, {size} bytes)"),
        },
        Err(e) => format!("(not shown: cannot read: {e})"),
    }
}

/// A relative path with `/` separators, as the model and the contract write paths.
pub fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_matching_files_and_missing_literals() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("src/a.py"), "a = 1\n").unwrap();
        std::fs::write(d.path().join("src/b.txt"), "no").unwrap();
        std::fs::create_dir_all(d.path().join(".forge")).unwrap();
        std::fs::write(d.path().join(".forge/x.py"), "hidden").unwrap();
        let pats = vec!["src/*.py".to_string(), "src/new.py".to_string()];
        let files = collect(d.path(), &pats, &|p: &Path| {
            p.extension().is_some_and(|e| e == "py")
        });
        let names: Vec<_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.text.is_some()))
            .collect();
        assert_eq!(names, vec![("src/a.py", true), ("src/new.py", false)]);
        assert_eq!(files[0].text.as_deref(), Some("a = 1\n"));
    }

    #[test]
    fn binary_and_huge_files_are_named_not_shown() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("bin"), [0xff, 0xfe, 0x00]).unwrap();
        let f = read(d.path(), &["bin".to_string(), "gone".to_string()]);
        assert!(f[0].text.as_deref().unwrap().contains("binary"));
        assert_eq!(f[1].text, None);
    }
}
