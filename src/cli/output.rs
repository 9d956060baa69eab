//! The one way commands print: a reader that went away (`forge runs list | head -1`) ends the
//! output quietly instead of panicking like `println!` does.
//!
//! forge keeps SIGPIPE ignored (Rust's default), so a closed pipe is an `EPIPE` error rather
//! than a signal that would kill a run before its history row and pack are written. Writing
//! stops at the first broken pipe, nothing is reported, and the command's exit status is its
//! own (0 for a successful listing), as ripgrep does.

use crate::error::Error;
use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once stdout's reader has gone: later output is dropped rather than attempted again.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Print `text` on stdout as it is (no newline added).
pub fn out(text: &str) -> Result<(), Error> {
    out_bytes(text.as_bytes())
}

/// Print `text` and a newline on stdout.
pub fn out_line(text: &str) -> Result<(), Error> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    out_bytes(&bytes)
}

/// Print `bytes` on stdout.
pub fn out_bytes(bytes: &[u8]) -> Result<(), Error> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(Error::Environment(format!("cannot write to stdout: {e}"))),
    }
}

/// Print `text` and a newline on stderr. Errors are dropped: stderr is where they would go.
pub fn err_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}").and_then(|()| stderr.flush());
}

/// `v` as pretty JSON, made safe for a terminal without changing its value.
pub fn json<T: serde::Serialize>(v: &T) -> Result<String, Error> {
    serde_json::to_string_pretty(v)
        .map(|text| crate::term::safe_json(&text).into_owned())
        .map_err(|e| Error::Environment(format!("cannot write JSON: {e}")))
}

/// Print a warning on stderr (unless `--quiet`), styled like errors.
pub fn warn(g: &super::Global, text: &str) {
    if !g.quiet {
        let prefix = console::style("warning:").yellow().bold().for_stderr();
        err_line(&format!("{prefix} {}", crate::term::safe_text(text)));
    }
}
