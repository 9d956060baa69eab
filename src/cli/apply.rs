//! `forge apply RUN_ID` and `forge reject RUN_ID`: who decides, the question on the terminal and
//! what is printed; the decision itself is `crate::approval`'s.

use super::args::{ApplyArgs, RejectArgs};
use crate::approval::{self, Decided, KeptRun};
use crate::error::{Error, exit};
use crate::evidence::Signers;
use std::io::IsTerminal;
use std::path::Path;

pub fn apply(g: &super::Global, a: ApplyArgs) -> Result<u8, Error> {
    let run = KeptRun::load(&super::project::root(g)?, &a.run_id)?;
    let signers = Signers::resolve(None, a.signing_key.as_deref())?;
    approve(g, &run, a.approver, a.yes, &signers)
}

/// Approve `run` (asking first unless `yes`) and write its files back; the exit code.
pub(super) fn approve(
    g: &super::Global,
    run: &KeptRun,
    approver: Option<String>,
    yes: bool,
    signers: &Signers,
) -> Result<u8, Error> {
    let ready = approval::approvable(run)?;
    let approver = approver_of(&run.root, approver)?;
    if !yes && !confirm(g, run)? {
        if !g.quiet {
            super::output::err_line(&format!(
                "nothing was written; `forge reject {}` records a rejection",
                run.run_id
            ));
        }
        return Ok(exit::FAILED);
    }
    let decided = ready.write_back(&approver, None, signers)?;
    if g.json {
        print_json(&decided)?;
    } else if !g.quiet {
        let n = decided.written.len();
        super::output::out_line(&format!(
            "applied run {}: wrote {n} file{} ({}); approved by {}",
            run.run_id,
            if n == 1 { "" } else { "s" },
            decided.written.join(", "),
            decided.approval.approver
        ))?;
    }
    Ok(exit::OK)
}

pub fn reject(g: &super::Global, a: RejectArgs) -> Result<u8, Error> {
    let run = KeptRun::load(&super::project::root(g)?, &a.run_id)?;
    let signers = Signers::resolve(None, a.signing_key.as_deref())?;
    let approver = approver_of(&run.root, a.approver)?;
    let decided = approval::reject(&run, &approver, a.reason, &signers)?;
    if g.json {
        print_json(&decided)?;
    } else if !g.quiet {
        super::output::out_line(&format!(
            "rejected run {} ({})",
            run.run_id, decided.approval.approver
        ))?;
    }
    Ok(exit::OK)
}

/// `--approver`, else git's `user.email` in the root.
fn approver_of(root: &Path, given: Option<String>) -> Result<String, Error> {
    if let Some(a) = given
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
    {
        return Ok(a);
    }
    let email = std::process::Command::new("git")
        .args(["config", "user.email"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|e| !e.is_empty());
    email.ok_or_else(|| {
        Error::Usage(
            "who decides? pass --approver, or set git's user.email (git config user.email you@example.com)"
                .into(),
        )
    })
}

/// Whether forge can ask a question: stdin and stderr are both a terminal.
pub(super) fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Show the diff and ask on the terminal; off a terminal, `--yes` is required.
fn confirm(g: &super::Global, run: &KeptRun) -> Result<bool, Error> {
    if !can_ask() {
        return Err(Error::Usage(format!(
            "not on a terminal, so forge cannot ask: review with `forge diff {id}`, then `forge apply {id} --yes`",
            id = run.run_id
        )));
    }
    let diff = super::diff::render(run)?;
    if !g.quiet {
        super::output::out(&super::diff::for_stdout(&diff))?;
    }
    dialoguer::Confirm::new()
        .with_prompt(format!(
            "Write {} file{} of run {} to {}?",
            run.files.len(),
            if run.files.len() == 1 { "" } else { "s" },
            run.run_id,
            run.root.display()
        ))
        .default(false)
        .interact_on(&console::Term::stderr())
        .map_err(|e| Error::Environment(format!("cannot ask on the terminal: {e}")))
}

/// `--json`: the record as written and the files written back, the same object the server's
/// approval route answers with.
fn print_json(d: &Decided) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(d)
        .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))?;
    super::output::out_line(&json)?;
    Ok(())
}
