//! Paths a request names (`contract`, `replay`) confined to the `--root`s, symlinks resolved.

use super::error::ApiError;
use axum::http::StatusCode;
use std::path::{Path, PathBuf};

/// The served roots, canonical (symlinks resolved) so that prefix checks mean something.
#[derive(Debug, Clone)]
pub struct Roots(Vec<PathBuf>);

impl Roots {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        Roots(roots)
    }

    pub fn all(&self) -> &[PathBuf] {
        &self.0
    }

    /// Resolve `given` (a path, or a `file://` URL; relative paths are relative to the first
    /// root) to an existing file inside one of the roots.
    pub fn confine(&self, field: &str, given: &str) -> Result<PathBuf, ApiError> {
        let raw = if given.starts_with("file:") {
            url::Url::parse(given)
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .and_then(|p| p.to_str().map(str::to_string))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "bad_path",
                        format!("`{field}`: not a valid local file:// URL"),
                    )
                })?
        } else {
            given.to_string()
        };
        if raw.is_empty() || raw.contains('\0') {
            return Err(ApiError::bad_request(
                "bad_path",
                format!("`{field}` must name a file"),
            ));
        }
        let path = Path::new(&raw);
        let joined = match self.0.first() {
            Some(first) if path.is_relative() => first.join(path),
            _ => path.to_path_buf(),
        };
        let outside = || {
            ApiError::new(
                StatusCode::FORBIDDEN,
                "outside_roots",
                format!("`{field}`: {given} is not inside a served --root"),
            )
        };
        let real = match joined.canonicalize() {
            Ok(p) => p,
            // Say "outside" before "missing" for paths that lexically leave the roots, so the
            // answer does not reveal which files exist elsewhere on the machine.
            Err(_) if !self.lexically_inside(&joined) => return Err(outside()),
            Err(e) => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not_found",
                    format!("`{field}`: cannot read {given}: {e}"),
                ));
            }
        };
        if !self.0.iter().any(|r| real.starts_with(r)) {
            return Err(outside());
        }
        if !real.is_file() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not_a_file",
                format!("`{field}`: {given} is not a regular file"),
            ));
        }
        Ok(real)
    }

    /// Ok when `dir` (symlinks resolved) is inside a served root; 403 naming `what` otherwise.
    pub fn check_inside(&self, what: &str, dir: &Path) -> Result<(), ApiError> {
        let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if self.0.iter().any(|r| real.starts_with(r)) {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "outside_roots",
            format!("{what} {} is not inside a served --root", dir.display()),
        ))
    }

    fn lexically_inside(&self, p: &Path) -> bool {
        use std::path::Component;
        let mut normal = PathBuf::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    normal.pop();
                }
                Component::CurDir => {}
                other => normal.push(other),
            }
        }
        self.0.iter().any(|r| normal.starts_with(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Roots) {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("root/contracts")).unwrap();
        std::fs::create_dir_all(base.join("elsewhere")).unwrap();
        std::fs::write(base.join("root/contracts/a.yaml"), "x").unwrap();
        std::fs::write(base.join("elsewhere/secret.yaml"), "x").unwrap();
        std::os::unix::fs::symlink(
            base.join("elsewhere/secret.yaml"),
            base.join("root/contracts/link.yaml"),
        )
        .unwrap();
        let roots = Roots::new(vec![base.join("root")]);
        (dir, roots)
    }

    #[test]
    fn accepts_files_inside_and_refuses_the_rest() {
        let (dir, roots) = setup();
        let base = dir.path().canonicalize().unwrap();
        assert!(
            roots
                .check_inside("root", &base.join("root/contracts"))
                .is_ok()
        );
        let e = roots
            .check_inside("root", &base.join("elsewhere"))
            .unwrap_err();
        assert_eq!(e.status.as_u16(), 403);
        let inside = base.join("root/contracts/a.yaml");
        let url = format!("file://{}", inside.display()).replace("/a.yaml", "/%61.yaml");
        for ok in ["contracts/a.yaml", inside.to_str().unwrap(), url.as_str()] {
            assert_eq!(roots.confine("contract", ok).unwrap(), inside, "{ok}");
        }
        for (bad, status) in [
            ("../elsewhere/secret.yaml", 403),
            ("contracts/../../elsewhere/secret.yaml", 403),
            ("contracts/link.yaml", 403),
            ("/etc/passwd", 403),
            ("../nope.yaml", 403),
            ("contracts/missing.yaml", 422),
            ("contracts", 422),
            ("", 400),
            ("file://host.example/a.yaml", 400),
        ] {
            let e = roots.confine("contract", bad).unwrap_err();
            assert_eq!(e.status.as_u16(), status, "{bad}: {}", e.message);
        }
    }
}
