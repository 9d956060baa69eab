//! `forge completions SHELL` and the hidden `forge man --out DIR` that keeps man/ current.
use super::args::{Cli, CompletionsArgs, ManArgs};
use crate::error::Error;
use clap::CommandFactory;

pub fn run(a: CompletionsArgs) -> Result<u8, Error> {
    let mut cmd = Cli::command();
    // Generated in memory: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "forge", &mut script);
    super::output::out_bytes(&script)?;
    Ok(crate::error::exit::OK)
}

pub fn man(a: ManArgs) -> Result<u8, Error> {
    let cmd = Cli::command();
    std::fs::create_dir_all(&a.out)
        .map_err(|e| Error::Environment(format!("cannot create {}: {e}", a.out.display())))?;
    clap_mangen::generate_to(cmd, &a.out).map_err(|e| {
        Error::Environment(format!(
            "cannot write man pages to {}: {e}",
            a.out.display()
        ))
    })?;
    Ok(crate::error::exit::OK)
}
