//! Path safety for edits: normalising what the model wrote and refusing paths that must not be written.

use std::fmt;
use std::path::{Path, PathBuf};

/// A normalised path relative to the root: `/`-separated, no `.`/`..`, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RelPath(String);

impl RelPath {
    /// Normalise a path as a model or a walker wrote it: backslashes become `/`, `./` and empty
    /// segments vanish. Refuses absolute paths, `..` anywhere, and paths that are empty after that.
    pub fn normalise(raw: &str) -> Result<RelPath, &'static str> {
        let unified = raw.trim().replace('\\', "/");
        if unified.is_empty() {
            return Err("empty path");
        }
        if unified.starts_with('/') || unified.starts_with('~') || has_drive_prefix(&unified) {
            return Err("absolute path");
        }
        let mut parts = Vec::new();
        for part in unified.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err("leaves the root"),
                p => parts.push(p),
            }
        }
        if parts.is_empty() {
            return Err("empty path");
        }
        Ok(RelPath(parts.join("/")))
    }

    /// From a path found on disk below a base folder (`base/rel`); `None` if not valid UTF-8.
    pub fn from_relative(rel: &Path) -> Option<RelPath> {
        RelPath::normalise(rel.to_str()?).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn as_path(&self) -> &Path {
        Path::new(&self.0)
    }

    /// This path below `base`.
    pub fn under(&self, base: &Path) -> PathBuf {
        base.join(&self.0)
    }
}

impl fmt::Display for RelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `C:` style prefixes: a model on Windows habits writing an absolute path.
fn has_drive_prefix(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// A path the model proposed that was not written, and why, in words to tell the model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    /// The path as the model wrote it.
    pub path: String,
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.path, self.reason)
    }
}

/// Decide whether the model may write `raw` in `workspace`. `allowed` is the contract's `files`
/// predicate, given the normalised relative path.
pub fn check_path(
    raw: &str,
    allowed: &dyn Fn(&Path) -> bool,
    workspace: &Path,
) -> Result<RelPath, Refusal> {
    let refuse = |reason: &str| Refusal {
        path: raw.to_string(),
        reason: reason.to_string(),
    };
    let rel = RelPath::normalise(raw).map_err(refuse)?;
    // Writing there would reach the user's repository or forge's own records on write-back,
    // even when a broad `files` glob such as `**` technically allows it.
    let first = rel.as_str().split('/').next().unwrap_or_default();
    if rel
        .as_str()
        .split('/')
        .any(|p| same_name(p, ".git") || p.eq_ignore_ascii_case("git~1"))
    {
        return Err(refuse("inside .git"));
    }
    if same_name(first, crate::layout::FORGE_DIR) {
        return Err(refuse("inside .forge"));
    }
    if !allowed(rel.as_path()) {
        return Err(refuse("not in `files`"));
    }
    stays_inside(workspace, &rel).map_err(refuse)?;
    Ok(rel)
}

/// Whether a file system could open `part` as `name`: case-insensitive systems (macOS, Windows)
/// ignore case, Windows drops trailing dots and spaces, and HFS+ ignores invisible code points
/// (the `.git` tricks of CVE-2014-9390).
fn same_name(part: &str, name: &str) -> bool {
    let folded: String = part
        .chars()
        .filter(|c| !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}'))
        .collect();
    folded
        .trim_end_matches(['.', ' '])
        .eq_ignore_ascii_case(name)
}

/// Check that writing `base/rel` cannot land outside `base` through a symlink: the deepest part
/// of the path that exists is resolved and must stay inside `base`.
pub fn stays_inside(base: &Path, rel: &RelPath) -> Result<(), &'static str> {
    let base = base
        .canonicalize()
        .map_err(|_| "the workspace cannot be resolved")?;
    let mut existing = rel.under(&base);
    loop {
        if std::fs::symlink_metadata(&existing).is_ok() {
            break;
        }
        if !existing.pop() {
            return Ok(());
        }
    }
    let resolved = existing.canonicalize().map_err(|_| "is a broken symlink")?;
    let inside = resolved.starts_with(&base);
    if inside {
        Ok(())
    } else {
        Err("symlink leads outside the workspace")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &Path) -> bool {
        true
    }

    #[test]
    fn normalises_dots_backslashes_and_slashes() {
        assert_eq!(
            RelPath::normalise("./src/./a.py").unwrap().as_str(),
            "src/a.py"
        );
        assert_eq!(
            RelPath::normalise("src\\pkg\\a.py").unwrap().as_str(),
            "src/pkg/a.py"
        );
        assert_eq!(
            RelPath::normalise("src//a.py").unwrap().as_str(),
            "src/a.py"
        );
    }

    #[test]
    fn refuses_absolute_parent_and_empty() {
        assert_eq!(RelPath::normalise("/etc/passwd"), Err("absolute path"));
        assert_eq!(RelPath::normalise("C:\\x.py"), Err("absolute path"));
        assert_eq!(RelPath::normalise("~/x.py"), Err("absolute path"));
        assert_eq!(RelPath::normalise("src/../../x.py"), Err("leaves the root"));
        assert_eq!(RelPath::normalise("a/../b.py"), Err("leaves the root"));
        assert_eq!(RelPath::normalise("./"), Err("empty path"));
        assert_eq!(RelPath::normalise("  "), Err("empty path"));
    }

    #[test]
    fn refuses_git_and_forge_even_when_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let r = check_path(".git/hooks/pre-commit", &any, dir.path()).unwrap_err();
        assert_eq!(r.reason, "inside .git");
        let r = check_path(".forge/history.db", &any, dir.path()).unwrap_err();
        assert_eq!(r.reason, "inside .forge");
    }

    #[test]
    fn refuses_git_and_forge_under_any_spelling_a_file_system_folds() {
        let dir = tempfile::tempdir().unwrap();
        for path in [
            ".GIT/hooks/pre-commit",
            "sub/.Git/config",
            ".git./hooks/x",
            ".git /hooks/x",
            ".g\u{200c}it/hooks/x",
            "GIT~1/config",
            ".FORGE/history.db",
        ] {
            assert!(check_path(path, &any, dir.path()).is_err(), "{path}");
        }
        assert!(check_path("src/.gitignore", &any, dir.path()).is_ok());
        assert!(check_path("gitx/.github/ci.yml", &any, dir.path()).is_ok());
    }

    #[test]
    fn allowed_predicate_sees_the_normalised_path() {
        let dir = tempfile::tempdir().unwrap();
        let only = |p: &Path| p == Path::new("src/a.py");
        assert!(check_path("./src\\a.py", &only, dir.path()).is_ok());
        let r = check_path("src/b.py", &only, dir.path()).unwrap_err();
        assert_eq!(r.reason, "not in `files`");
        assert_eq!(r.path, "src/b.py");
    }
}
