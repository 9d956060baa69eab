//! Running one round: every validator at once, each as `sh -c RUN` in its own process group.

use super::capture::OutputCapture;
use super::parsers::parse_counts_noted;
use super::{ValidateError, ValidatorResult, digest, score_validator, scrubbed_env};
use crate::contract::Validator;
use futures_util::future::join_all;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::ffi::OsString;
use std::os::fd::OwnedFd;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

/// Token cap of one failed validator's digest.
pub const DIGEST_TOKENS: usize = 2_000;

/// Time a timed-out validator gets between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(1);

/// How long output may keep arriving after the validator exited; a process that escaped its
/// group (setsid) could otherwise hold the pipe open forever.
const DRAIN_WINDOW: Duration = Duration::from_millis(300);

const READ_CHUNK: usize = 64 * 1024;

/// A validator whose shell has been started.
struct Started {
    child: Child,
    /// Process group id (= the shell's pid); None only if the shell was already reaped.
    group: Option<Pid>,
    output: pipe::Receiver,
    started: Instant,
}

/// Run every validator concurrently in `dir`; `on_finished` sees each result as it completes.
/// Results come back in contract order. Cancelling `cancel` kills every running process group
/// and ends the round with [`ValidateError::Cancelled`].
pub async fn run_all(
    validators: &[Validator],
    dir: &Path,
    cancel: &CancellationToken,
    on_finished: &(dyn Fn(&ValidatorResult) + Send + Sync),
) -> Result<Vec<ValidatorResult>, ValidateError> {
    run_all_with_env(validators, dir, &[], cancel, on_finished).await
}

/// [`run_all`] with extra variables set on top of the scrubbed environment: a private
/// workspace points validators at shared caches this way (e.g. `CARGO_TARGET_DIR`).
pub async fn run_all_with_env(
    validators: &[Validator],
    dir: &Path,
    extra_env: &[(String, String)],
    cancel: &CancellationToken,
    on_finished: &(dyn Fn(&ValidatorResult) + Send + Sync),
) -> Result<Vec<ValidatorResult>, ValidateError> {
    let mut env = scrubbed_env();
    for (k, v) in extra_env {
        env.retain(|(name, _)| name.as_os_str() != k.as_str());
        env.push((k.into(), v.into()));
    }
    let mut started = Vec::with_capacity(validators.len());
    for v in validators {
        match start(v, dir, &env) {
            Ok(s) => started.push(s),
            Err(e) => {
                for s in &started {
                    signal_group(s.group, Signal::SIGKILL);
                }
                return Err(e);
            }
        }
    }
    let rounds = validators.iter().zip(started).map(|(v, s)| async move {
        let result = finish(v, s, dir, cancel).await;
        if let Ok(Some(r)) = &result {
            on_finished(r);
        }
        result
    });
    let mut results = Vec::with_capacity(validators.len());
    for r in join_all(rounds).await {
        results.push(r?.ok_or(ValidateError::Cancelled)?);
    }
    Ok(results)
}

fn start(
    v: &Validator,
    dir: &Path,
    env: &[(OsString, OsString)],
) -> Result<Started, ValidateError> {
    let spawn_error = |e: std::io::Error| ValidateError::Spawn {
        name: v.name.clone(),
        message: format!("{e} (working directory {})", dir.display()),
    };
    // One pipe for stdout and stderr keeps their lines in the order they were written.
    // Close-on-exec, so validators started alongside do not inherit each other's pipes.
    let (read, write) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| spawn_error(std::io::Error::from(e)))?;
    let write_err: OwnedFd = write.try_clone().map_err(spawn_error)?;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(&v.run)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, val)| (k, val)))
        .stdin(Stdio::null())
        .stdout(Stdio::from(write))
        .stderr(Stdio::from(write_err))
        .process_group(0);
    let child = cmd.spawn().map_err(spawn_error)?;
    let started = Instant::now();
    // `cmd` holds our copies of the pipe's write end; drop them so EOF can arrive.
    drop(cmd);
    let group = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .filter(|id| *id > 0)
        .map(Pid::from_raw);
    let output = match pipe::Receiver::from_owned_fd(read) {
        Ok(o) => o,
        Err(e) => {
            signal_group(group, Signal::SIGKILL);
            return Err(spawn_error(e));
        }
    };
    Ok(Started {
        child,
        group,
        output,
        started,
    })
}

/// How the validator's main process ended.
enum Ending {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

/// Wait for one started validator, enforce its timeout, and build its result.
/// `Ok(None)` when the round was cancelled.
async fn finish(
    v: &Validator,
    mut s: Started,
    dir: &Path,
    cancel: &CancellationToken,
) -> Result<Option<ValidatorResult>, ValidateError> {
    let stop_reading = CancellationToken::new();
    let mut reader = tokio::spawn(read_output(s.output, stop_reading.clone()));
    let ending = tokio::select! {
        status = s.child.wait() => Ending::Exited(status),
        _ = tokio::time::sleep(v.timeout) => Ending::TimedOut,
        _ = cancel.cancelled() => Ending::Cancelled,
    };
    let (status, timed_out) = match ending {
        Ending::Exited(status) => (status, false),
        Ending::TimedOut => (terminate(&mut s.child, s.group).await, true),
        Ending::Cancelled => {
            signal_group(s.group, Signal::SIGKILL);
            let _ = s.child.wait().await;
            stop_reading.cancel();
            return Ok(None);
        }
    };
    let duration_ms = u64::try_from(s.started.elapsed().as_millis()).unwrap_or(u64::MAX);
    // The validator is over: whatever it left running in its group goes too.
    signal_group(s.group, Signal::SIGKILL);
    let status = status.map_err(|e| ValidateError::Wait {
        name: v.name.clone(),
        message: e.to_string(),
    })?;
    let capture = match tokio::time::timeout(DRAIN_WINDOW, &mut reader).await {
        Ok(done) => done.unwrap_or_default(),
        Err(_) => {
            stop_reading.cancel();
            reader.await.unwrap_or_default()
        }
    };
    let exit_code = status
        .code()
        .or_else(|| status.signal().map(|sig| 128 + sig));
    let mut output = capture.finish();
    let (counts, note) = parse_counts_noted(&v.parse, &output.text(), dir);
    if let Some(note) = &note {
        output.add_note(note);
    }
    let mut result = ValidatorResult {
        name: v.name.clone(),
        kind: v.kind,
        command: v.run.clone(),
        exit_code,
        timed_out,
        duration_ms,
        score: score_validator(counts, exit_code, timed_out),
        skipped: false,
        counts,
        output,
        digest: String::new(),
    };
    if !result.passed() {
        // Tools print absolute paths of the folder they ran in; the model and the record want
        // paths relative to it.
        let prefix = format!("{}/", dir.display());
        result.digest = failure_digest(v, &result, note.as_deref()).replace(&prefix, "");
    }
    Ok(Some(result))
}

/// SIGTERM to the group, then SIGKILL if the shell outlives the grace period.
async fn terminate(child: &mut Child, group: Option<Pid>) -> std::io::Result<ExitStatus> {
    signal_group(group, Signal::SIGTERM);
    match tokio::time::timeout(TERM_GRACE, child.wait()).await {
        Ok(status) => status,
        Err(_) => {
            signal_group(group, Signal::SIGKILL);
            child.wait().await
        }
    }
}

fn signal_group(group: Option<Pid>, signal: Signal) {
    if let Some(pgid) = group {
        // ESRCH (the group is already gone) is the normal case once a validator exited.
        let _ = killpg(pgid, signal);
    }
}

/// Read until EOF, or until told to stop (then keep only what is already buffered).
async fn read_output(mut pipe: pipe::Receiver, stop: CancellationToken) -> OutputCapture {
    let mut capture = OutputCapture::default();
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        tokio::select! {
            biased;
            _ = stop.cancelled() => {
                for _ in 0..16 {
                    match pipe.try_read(&mut buf) {
                        Ok(n) if n > 0 => capture.push(&buf[..n]),
                        _ => break,
                    }
                }
                break;
            }
            read = pipe.read(&mut buf) => match read {
                Ok(n) if n > 0 => capture.push(&buf[..n]),
                _ => break,
            },
        }
    }
    capture
}

/// What forge itself knows about the failure, then the digest of the tool's output.
fn failure_digest(v: &Validator, r: &ValidatorResult, note: Option<&str>) -> String {
    let mut lines = Vec::new();
    if r.timed_out {
        lines.push(format!(
            "timed out after {}; its processes were killed",
            humantime::format_duration(v.timeout)
        ));
    }
    if r.exit_code == Some(127) {
        lines.push(format!("command not found: check `run:` ({})", v.run));
    }
    if let Some(note) = note {
        lines.push(note.to_string());
    }
    lines.push(digest(&r.output.text(), DIGEST_TOKENS));
    lines.retain(|l| !l.is_empty());
    lines.join("\n")
}
