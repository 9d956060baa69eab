//! Paths and globs in a contract: checking that they stay inside the root, and matching a
//! relative path against them (`files` decides what the model may change).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Component, Path};

/// A contract path or glob, normalised (leading `./` dropped), or why it is not allowed.
pub fn check_relative(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err("empty path".into());
    }
    if trimmed.starts_with('/') || trimmed.starts_with('\\') || trimmed.starts_with('~') {
        return Err(format!("`{raw}` is absolute"));
    }
    if trimmed.split(['/', '\\']).any(|part| part == "..") {
        return Err(format!("`{raw}` leaves the root (`..`)"));
    }
    let mut normal = trimmed;
    while let Some(rest) = normal.strip_prefix("./") {
        normal = rest.trim_start_matches('/');
    }
    if normal.is_empty() || normal == "." {
        return Err(format!("`{raw}` is the root itself; name files or globs inside it"));
    }
    glob(normal).map_err(|e| format!("`{raw}` is not a valid glob: {}", e.kind()))?;
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
        assert!(check_relative("../x.py").unwrap_err().contains("leaves the root"));
        assert!(check_relative("src/../../x").unwrap_err().contains("leaves the root"));
        assert!(check_relative("/etc/passwd").unwrap_err().contains("absolute"));
        assert!(check_relative("").is_err());
        assert!(check_relative("./").is_err());
        assert!(check_relative("src/[").unwrap_err().contains("not a valid glob"));
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
