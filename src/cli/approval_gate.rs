//! The approval policy around `forge converge` (SPEC §12): with `approval: required` or
//! `--confirm`, a converged run only keeps its files; then forge shows the diff and asks on a
//! terminal, or leaves the run for `forge apply RUN_ID`.

use super::apply;
use crate::approval::KeptRun;
use crate::contract::{Approval, Contract};
use crate::error::{Error, exit};
use crate::evidence::Signers;
use std::path::Path;

/// Whether a converged run must be approved before it is written back.
pub(super) fn required(contract: &Contract, confirm: bool) -> bool {
    confirm || contract.approval == Approval::Required
}

/// After a converged run kept for approval: ask on a terminal (not with `--json`, whose stdout
/// belongs to the events); otherwise, or when the answer is no, say how to approve. The exit
/// code: 0 written back, 1 awaiting approval or not written back. The approval is signed by
/// the run's own `signers`.
pub(super) fn after_converged(
    g: &super::Global,
    root: &Path,
    run_id: &str,
    signers: &Signers,
) -> Result<u8, Error> {
    let awaiting = || super::output::err_line(&format!("awaiting approval: forge apply {run_id}"));
    if g.json || !apply::can_ask() {
        awaiting();
        return Ok(exit::FAILED);
    }
    let asked = KeptRun::load(root, run_id)
        .map_err(Error::from)
        .and_then(|run| apply::approve(g, &run, None, false, signers));
    match asked {
        Ok(exit::OK) => Ok(exit::OK),
        Ok(code) => {
            awaiting();
            Ok(code)
        }
        Err(e) => {
            super::output::err_line(&format!(
                "{} {e}",
                console::style("error:").red().bold().for_stderr()
            ));
            awaiting();
            Ok(exit::FAILED)
        }
    }
}
