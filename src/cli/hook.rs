//! `forge hook install`: a plain `.git/hooks/pre-commit` that runs `forge check` on contracts.

use super::args::HookCommand;
use crate::error::{Error, exit};
use std::path::{Path, PathBuf};

/// The line that marks a hook as forge's own, so reinstalling may replace it.
const MARKER: &str = "# Installed by `forge hook install`";

pub fn run(g: &super::Global, a: HookCommand) -> Result<u8, Error> {
    match a {
        HookCommand::Install { contracts, force } => install(g, contracts, force),
    }
}

fn install(g: &super::Global, contracts: Vec<PathBuf>, force: bool) -> Result<u8, Error> {
    let here = super::project::root(g)?;
    let top = PathBuf::from(git(&here, &["rev-parse", "--show-toplevel"])?);
    let hook = absolute(
        &here,
        Path::new(&git(
            &here,
            &["rev-parse", "--git-path", "hooks/pre-commit"],
        )?),
    );
    let contracts = if contracts.is_empty() {
        default_contracts(&top)?
    } else {
        contracts.iter().map(|c| absolute(&here, c)).collect()
    };
    let mut rel = Vec::with_capacity(contracts.len());
    for c in &contracts {
        // A hook that can only fail is worse than none: check each contract now.
        crate::contract::load(c, None)?;
        let canonical = c
            .canonicalize()
            .map_err(|e| Error::Usage(format!("{}: {e}", c.display())))?;
        let top = top.canonicalize().unwrap_or_else(|_| top.clone());
        let inside = canonical.strip_prefix(&top).map_err(|_| {
            Error::Usage(format!(
                "{} is outside the repository {}; a hook runs contracts of its own repository",
                c.display(),
                top.display()
            ))
        })?;
        rel.push(inside.to_string_lossy().into_owned());
    }

    if let Ok(existing) = std::fs::read_to_string(&hook) {
        if !existing.contains(MARKER) {
            if !force {
                return Err(Error::Usage(format!(
                    "{} exists and was not written by forge; pass --force to replace it (it is kept as pre-commit.bak)",
                    hook.display()
                )));
            }
            let backup = hook.with_file_name("pre-commit.bak");
            if backup.exists() {
                return Err(Error::Usage(format!(
                    "{} already exists; move it away before replacing {} again",
                    backup.display(),
                    hook.display()
                )));
            }
            std::fs::rename(&hook, &backup).map_err(|e| {
                Error::Environment(format!(
                    "cannot keep {} as {}: {e}",
                    hook.display(),
                    backup.display()
                ))
            })?;
            if !g.quiet {
                super::output::err_line(&format!("kept the previous hook as {}", backup.display()));
            }
        }
    }
    crate::fsutil::write_atomic(&hook, script(&rel).as_bytes(), Some(0o755))
        .map_err(|e| Error::Environment(format!("cannot write {}: {e}", hook.display())))?;
    if !g.quiet {
        super::output::out_line(&format!(
            "installed {}: `forge check` on {}",
            hook.display(),
            rel.join(", ")
        ))?;
    }
    Ok(exit::OK)
}

/// The hook: each contract checked (paths relative to the repository top, where git runs hooks).
fn script(contracts: &[String]) -> String {
    let list: Vec<String> = contracts.iter().map(|c| quote(c)).collect();
    format!(
        "#!/bin/sh\n{MARKER}: runs the contracts' validators before each commit.\n\
         # Reinstall with `forge hook install`; skip once with `git commit --no-verify`.\n\
         if ! command -v forge >/dev/null 2>&1; then\n\
         \x20 echo \"pre-commit: forge is not on PATH (install it, or commit with --no-verify)\" >&2\n\
         \x20 exit 1\n\
         fi\n\
         status=0\n\
         for contract in {}; do\n\
         \x20 forge check \"$contract\" || status=1\n\
         done\n\
         exit $status\n",
        list.join(" ")
    )
}

/// Single-quoted for sh.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn default_contracts(top: &Path) -> Result<Vec<PathBuf>, Error> {
    let dir = top.join("contracts");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    if found.is_empty() {
        return Err(Error::Usage(format!(
            "no contracts given and none found in {}; name them: forge hook install CONTRACT...",
            dir.display()
        )));
    }
    Ok(found)
}

fn absolute(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, Error> {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| Error::Environment(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "{} is not in a git repository (git {}: {})",
            dir.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_paths_and_carries_the_marker() {
        let s = script(&["contracts/a b.yaml".into(), "it's.yaml".into()]);
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(
            s.contains("for contract in 'contracts/a b.yaml' 'it'\\''s.yaml'; do"),
            "{s}"
        );
    }
}
