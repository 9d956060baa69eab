//! Command-line interface: clap definitions, dispatch, and the single error → exit-code mapping.

mod apply;
mod approval_gate;
mod args;
mod check;
mod completions;
mod config_cmd;
mod contract_cmd;
mod converge;
mod diff;
mod doctor;
mod evidence_cmd;
mod hook;
mod init;
mod key_cmd;
mod metrics_cmd;
pub(crate) mod output;
mod project;
mod runs;
mod scan;
mod serve_cmd;
mod verify_cmd;

pub use args::{Cli, ColorChoice, Command, Global};

use crate::error::{Error, exit};
use std::process::ExitCode;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    if let Some(code) = crate::sandbox::helper_main() {
        return code;
    }
    survive_file_size_limit();
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
        Command::Scan(a) => scan::run(g, a),
        Command::Key(a) => key_cmd::run(g, a),
        Command::Diff(a) => diff::run(g, a),
        Command::Apply(a) => apply::apply(g, a),
        Command::Reject(a) => apply::reject(g, a),
        Command::Hook(a) => hook::run(g, a),
        Command::Config(a) => config_cmd::run(g, a),
        Command::Doctor => doctor::run(g),
        Command::Metrics => metrics_cmd::run(g),
        Command::Serve(a) => serve_cmd::run(g, a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => completions::man(a),
    }
}

/// Every error ends here; its text may echo untrusted input (a contract value, a file name).
fn report(e: &Error) {
    let prefix = console::style("error:").red().bold().for_stderr();
    output::err_line(&format!(
        "{prefix} {}",
        crate::term::safe_text(&e.to_string())
    ));
}

/// With `ulimit -f`, writing past the limit raises SIGXFSZ, whose default action kills forge
/// without a word (and without its history row). A no-op handler turns it into an `EFBIG`
/// write error that is reported like any other; exec resets caught signals, so validators
/// still start with the default action.
fn survive_file_size_limit() {
    use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
    extern "C" fn ignore(_: libc::c_int) {}
    let action = SigAction::new(
        SigHandler::Handler(ignore),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler does nothing, so it is async-signal-safe, and it is installed before
    // any other thread exists.
    let _ = unsafe { sigaction(Signal::SIGXFSZ, &action) };
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
