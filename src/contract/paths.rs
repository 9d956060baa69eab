//! Paths and globs in a contract: checking that they stay inside the root, and matching a
//! relative path against them (`files` decides what the model may change).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Component, Path};

/// Why a contract path or glob is refused, and what is expected instead.
#[derive(Debug)]
pub struct PathProblem {
    pub message: String,
    pub help: &'static str,
}

const INSIDE_ROOT: &str = "paths and globs are relative to the root and may not leave it";

/// A contract path or glob, normalised (leading `./` dropped), or why it is not allowed.
pub fn check_relative(raw: &str) -> Result<String, PathProblem> {
    let problem = |message: String| PathProblem {
        message,
        help: INSIDE_ROOT,
    };
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(problem("empty path".into()));
    }
    if trimmed.starts_with('/') || trimmed.starts_with('\\') || trimmed.starts_with('~') {
        return Err(problem(format!("`{raw}` is absolute")));
    }
    if trimmed.split(['/', '\\']).any(|part| part == "..") {
        return Err(problem(format!("`{raw}` leaves the root (`..`)")));
    }
    let mut normal = trimmed;
    while let Some(rest) = normal.strip_prefix("./") {
        normal = rest.trim_start_matches('/');
    }
    if normal.is_empty() || normal == "." {
        return Err(problem(format!(
            "`{raw}` is the root itself; name files or globs inside it"
        )));
    }
    glob(normal).map_err(|e| PathProblem {
        message: format!("`{raw}` is not a valid glob: {}", e.kind()),
        help: "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`",
    })?;
    Ok(normal.to_string())
}

/// `*` stays within one folder and `**` crosses folders, as in .gitignore.
fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern).literal_separator(true).build()
}

/// A compiled set of contract globs. An entry naming a folder also covers everything in it.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    set: GlobSet,
}

impl PathMatcher {
    /// Compile `globs` (as stored in a loaded contract). Globs that do not compile are left out,
    /// so a hand-built contract can only ever allow less.
    pub fn new(globs: &[String]) -> PathMatcher {
        let mut builder = GlobSetBuilder::new();
        for g in globs {
            let g = g.trim_end_matches('/');
            for pattern in [g.to_string(), format!("{g}/**")] {
                if let Ok(compiled) = glob(&pattern) {
                    builder.add(compiled);
                }
            }
        }
        PathMatcher {
            set: builder.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    /// Whether `rel` (relative to the root) matches. Absolute paths and paths with `..` never do.
    pub fn matches(&self, rel: &Path) -> bool {
        let mut parts = Vec::new();
        for c in rel.components() {
            match c {
                Component::Normal(p) => match p.to_str() {
                    Some(s) => parts.push(s),
                    None => return false,
                },
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => return false,
            }
        }
        !parts.is_empty() && self.set.is_match(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_absolute_paths_are_refused() {
        let why = |p: &str| {
            check_relative(p)
                .err()
                .map(|e| e.message)
                .unwrap_or_default()
        };
        assert!(why("../x.py").contains("leaves the root"));
        assert!(why("src/../../x").contains("leaves the root"));
        assert!(why("/etc/passwd").contains("absolute"));
        assert!(why("").contains("empty"));
        assert!(why("./").contains("root itself"));
        assert!(why("src/[").contains("not a valid glob"));
    }

    #[test]
    fn leading_dot_slash_is_dropped() {
        assert_eq!(check_relative("./src/a.py").unwrap(), "src/a.py");
    }

    #[test]
    fn matcher_follows_gitignore_style_stars() {
        let m = PathMatcher::new(&["src/*.py".into(), "lib/".into(), "docs/**/*.md".into()]);
        assert!(m.matches(Path::new("src/a.py")));
        assert!(m.matches(Path::new("./src/a.py")));
        assert!(!m.matches(Path::new("src/sub/a.py")));
        assert!(m.matches(Path::new("lib/deep/x.rs")));
        assert!(m.matches(Path::new("docs/a/b/c.md")));
        assert!(!m.matches(Path::new("src/../src/a.py")));
        assert!(!m.matches(Path::new("/src/a.py")));
        assert!(!m.matches(Path::new("README.md")));
    }
}
