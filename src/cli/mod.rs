//! Command-line interface: clap definitions, dispatch, and the single error → exit-code mapping.

mod args;
mod check;
mod completions;
mod contract_cmd;
mod converge;
mod evidence_cmd;
mod init;
mod metrics_cmd;
mod runs;
mod serve_cmd;

pub use args::{Cli, ColorChoice, Command, Global};

use crate::error::{Error, exit};
use std::process::ExitCode;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::parse_args() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 0 for --help/--version and 2 for usage errors, as the spec wants.
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    cli.global.apply_color();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            e.to_exit()
        }
    }
}

fn dispatch(cli: Cli) -> Result<u8, Error> {
    let g = &cli.global;
    match cli.command {
        Command::Converge(a) => converge::run(g, a),
        Command::Check(a) => check::run(g, a),
        Command::Contract(a) => contract_cmd::run(g, a),
        Command::Init(a) => init::run(g, a),
        Command::Runs(a) => runs::run(g, a),
        Command::Evidence(a) => evidence_cmd::run(g, a),
        Command::Metrics => metrics_cmd::run(g),
        Command::Serve(a) => serve_cmd::run(g, a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => completions::man(a),
    }
}

fn report(e: &Error) {
    let prefix = console::style("error:").red().bold().for_stderr();
    eprintln!("{prefix} {e}");
}

/// A tokio runtime for commands that need async I/O.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("cannot start the async runtime: {e}")))
}

/// `exit::OK` or `exit::FAILED` from a pass/fail outcome.
pub(crate) fn pass_fail(passed: bool) -> u8 {
    if passed { exit::OK } else { exit::FAILED }
}
