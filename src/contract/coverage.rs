//! Contract globs that match nothing in the root: a `context` entry that names no file means
//! the model never sees it (often the tests), and a `files` glob that matches nothing shows the
//! model no file to change. Both are legal, so they are warnings, not errors.

use super::{Contract, PathMatcher};

/// One contract entry that matches no file under the root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unmatched {
    /// `files` or `context`.
    pub key: &'static str,
    pub pattern: String,
}

impl Unmatched {
    /// The warning, in the user's words.
    pub fn message(&self) -> String {
        let consequence = match self.key {
            "context" => "the model will not see it",
            _ => "the model is shown no file to change (name a new file literally)",
        };
        format!(
            "`{}` entry `{}` matches no file under the root; {consequence}",
            self.key, self.pattern
        )
    }
}

/// Walks stop after this many entries: a warning is not worth minutes on a huge tree.
const MAX_WALKED: usize = 200_000;

impl Contract {
    /// Every `context` entry, and every `files` glob (a literal `files` path is a file the model
    /// may create), that matches no file under the root, as the model's view would list them.
    pub fn unmatched_globs(&self) -> Vec<Unmatched> {
        let is_glob = |p: &str| p.contains(['*', '?', '[', '{']);
        let mut pending: Vec<(Unmatched, PathMatcher)> = self
            .files
            .iter()
            .filter(|p| is_glob(p))
            .map(|p| ("files", p))
            .chain(self.context.iter().map(|p| ("context", p)))
            .map(|(key, p)| {
                let pattern = p.clone();
                let matcher = PathMatcher::new(std::slice::from_ref(&pattern));
                (Unmatched { key, pattern }, matcher)
            })
            .collect();
        if pending.is_empty() {
            return Vec::new();
        }
        let walker = ignore::WalkBuilder::new(&self.root)
            .hidden(false)
            .git_ignore(true)
            .require_git(false)
            .filter_entry(|e| {
                let name = e.file_name();
                name != ".git" && name != crate::layout::FORGE_DIR
            })
            .build();
        for entry in walker.flatten().take(MAX_WALKED) {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(&self.root) else {
                continue;
            };
            pending.retain(|(_, m)| !m.matches(rel));
            if pending.is_empty() {
                break;
            }
        }
        pending.into_iter().map(|(u, _)| u).collect()
    }
}
