//! `forge init`: write a starter contract under contracts/.
use super::args::{InitArgs, Template};
use super::output::{json, out_line};
use crate::contract::is_valid_name;
use crate::error::{Error, exit};
use std::io::Write;
use std::path::Path;

const PYTHON: &str = include_str!("../../templates/init/python.yaml");
const RUST: &str = include_str!("../../templates/init/rust.yaml");
const NODE: &str = include_str!("../../templates/init/node.yaml");
const SHELL: &str = include_str!("../../templates/init/shell.yaml");

/// The contract name used when none is given.
const DEFAULT_NAME: &str = "example";

pub fn run(g: &super::Global, a: InitArgs) -> Result<u8, Error> {
    let name = a.name.as_deref().unwrap_or(DEFAULT_NAME);
    if !is_valid_name(name) || name == "." || name == ".." {
        return Err(Error::Usage(format!(
            "invalid contract name `{name}`: use letters, digits, `_`, `.` and `-` only"
        )));
    }
    let (template, label) = match a.template {
        Template::Python => (PYTHON, "python"),
        Template::Rust => (RUST, "rust"),
        Template::Node => (NODE, "node"),
        Template::Shell => (SHELL, "shell"),
    };
    // From a subfolder, the starter lands in the project's contracts/, as `converge` expects.
    let base = super::project::root(g)?;
    let rel = Path::new("contracts").join(format!("{name}.yaml"));
    let target = base.join(&rel);
    write_new(&target, template.replace("{{name}}", name).as_bytes())?;
    let here = std::env::current_dir().ok();
    let shown = match &here {
        Some(h) if g.root.is_none() && *h == base => rel.clone(),
        _ => target.clone(),
    };
    let shown = crate::term::safe_line(&shown.display().to_string()).into_owned();
    if g.json {
        out_line(&json(&serde_json::json!({
            "contract": target,
            "template": label,
            "name": name,
        }))?)?;
    } else if !g.quiet {
        out_line(&format!(
            "wrote {shown} ({label} starter)\nnext: edit its task, files and validators, then run `forge check {shown}`"
        ))?;
    }
    Ok(exit::OK)
}

/// Write `bytes` to a new file at `path`, atomically, never replacing an existing one.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let exists = || {
        Error::Usage(format!(
            "{} already exists; not overwriting it (pick another NAME or remove the file)",
            path.display()
        ))
    };
    if path.exists() {
        return Err(exists());
    }
    let env =
        |e: std::io::Error| Error::Environment(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(env)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".forge-tmp-")
        .tempfile_in(dir)
        .map_err(env)?;
    tmp.write_all(bytes).map_err(env)?;
    tmp.as_file().sync_all().map_err(env)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(e) => Err(env(e.error)),
    }
}
